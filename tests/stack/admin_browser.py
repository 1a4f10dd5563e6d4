#!/usr/bin/python3
"""Drives the home page and the admin page in a real browser (Debian's chromium, through
chromium-driver's WebDriver) as its owner would, and prints what the page
showed as one JSON object; the stack suite checks it and asks dnsd.

usage: admin_browser.py URL TOKEN SCREENSHOT
Exit status 77 (a skip, for meson) when no browser or driver is installed.
"""
import json
import os
import shutil
import sys
import tempfile

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("skip: python3-selenium is not installed", file=sys.stderr)
    sys.exit(77)

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"


def main():
    url, token, screenshot = sys.argv[1:4]
    for program in (CHROMIUM, DRIVER):
        if not os.access(program, os.X_OK):
            print(f"skip: {program} is not installed", file=sys.stderr)
            sys.exit(77)
    profile = tempfile.mkdtemp(prefix="webstack-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", f"--user-data-dir={profile}", "--no-sandbox",
                     "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                     "--window-size=1280,1400"):
        options.add_argument(argument)
    service = Service(DRIVER, log_path=os.devnull)  # Debian 12's selenium 4.8
    browser = webdriver.Chrome(service=service, options=options)
    seen_by_page = {}
    try:
        wait = WebDriverWait(browser, 10)
        # The home page: its script asks appsrv for the zone's live state.
        browser.get(url.replace("/admin/", "/"))
        wait.until(seen.text_to_be_present_in_element((By.ID, "zone-state"), "serial"))
        seen_by_page["home_zone_state"] = browser.find_element(By.ID, "zone-state").text
        browser.get(url)
        browser.find_element(By.ID, "token").send_keys(token)
        browser.find_element(By.ID, "save").click()
        zone = wait.until(seen.element_to_be_clickable((By.PARTIAL_LINK_TEXT, "foobar.com.")))
        seen_by_page["zone_link"] = zone.text
        zone.click()
        wait.until(seen.text_to_be_present_in_element((By.ID, "records"), "www.foobar.com."))

        form = browser.find_element(By.ID, "add")

        def submit(name, ttl, kind, content):
            for field, value in (("name", name), ("ttl", ttl), ("type", kind), ("content", content)):
                box = form.find_element(By.NAME, field)
                box.clear()
                box.send_keys(value)
            form.find_element(By.TAG_NAME, "button").click()

        submit("browser", "120", "A", "192.0.2.77")
        wait.until(seen.text_to_be_present_in_element((By.ID, "records"), "browser.foobar.com."))
        seen_by_page["records_after_add"] = browser.find_element(By.ID, "records").text

        # Refused: each error goes next to the field it concerns.
        errors = {}
        for case, values in (("content", ("bad", "", "A", "not-an-address")),
                             ("ttl", ("bad", "soon", "A", "192.0.2.1")),
                             ("type", ("bad", "", "NOSUCHTYPE", "192.0.2.1"))):
            submit(*values)
            where = (By.CSS_SELECTOR, f'#add .error[data-field="{case}"]')
            wait.until(lambda driver: driver.find_element(*where).text != "")
            errors[case] = {
                "next_to_field": browser.find_element(*where).text,
                "elsewhere": [element.text for element in
                              browser.find_elements(By.CSS_SELECTOR, ".error")
                              if element.text and element != browser.find_element(*where)],
            }
        seen_by_page["errors"] = errors

        wait.until(seen.text_to_be_present_in_element((By.ID, "audit"), "record.create"))
        seen_by_page["audit"] = [row.text for row in
                                 browser.find_elements(By.CSS_SELECTOR, "#audit tr")]
        browser.save_screenshot(screenshot)
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(seen_by_page))


if __name__ == "__main__":
    main()
