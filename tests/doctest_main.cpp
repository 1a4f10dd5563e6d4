// doctest's main(), compiled once: it is the slowest file of the suite.
#define DOCTEST_CONFIG_IMPLEMENT
#include <csignal>

#include <doctest/doctest.h>

int main(int argc, char** argv) {
    // As in the daemons: a peer that closes early must fail one write, not
    // end the process.
    std::signal(SIGPIPE, SIG_IGN);
    return doctest::Context(argc, argv).run();
}
