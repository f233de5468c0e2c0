// Runs `polc test FILE` for the language server's `polc.runTests` command: the same machinery as
// the command line (cli/test_command.cpp), in a child process, so a policy that runs long or a
// crash cannot take the server down. The saved file is tested (not unsaved edits).
#pragma once
#include <string>

#include "cli/lsp/workspace.h"

namespace polc::lsp {

/// Runs `polc_binary test path`, at most kLspTestTimeoutSeconds, keeping at most
/// kMaxLspTestOutputBytes of its output. Reads `N passed, M failed` from it.
TestRun run_policy_tests(const std::string& polc_binary, const std::string& path);

}  // namespace polc::lsp
