// The owner's page at /admin/: a browser front end to the zones API (the
// token stays in the browser; every change goes through the API).
#pragma once

#include <string_view>

namespace appsrv {

std::string_view admin_page();

}  // namespace appsrv
