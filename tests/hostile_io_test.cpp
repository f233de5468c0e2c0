// Hostile input at the edges (issue 14): what polc reads from the scanned tree and what it
// writes. Each TEST_CASE names the defect it covers (D4, D5, D7, D12 ... D19) and fails without
// its fix. End-to-end through the built binary (tests/cli_run.h).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/base/output_file.h"
#include "engine/base/printable.h"
#include "tests/cli_run.h"
#include "tests/robust_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;
using test::Run;
using test::run_polc;

/// The headline violation: a security group without egress attached to a VPC endpoint
/// (POLC-NET-001, high).
constexpr const char* kHeadline = R"(AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
  EP:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcEndpointType: Interface
      ServiceName: com.amazonaws.us-east-1.ssm
      SecurityGroupIds:
        - !Ref SG
)";

constexpr const char* kHeadlineJson =
    R"({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"SG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "x"}}, "EP": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Interface", "ServiceName": "s", "SecurityGroupIds": [{"Ref": "SG"}]}}}})";

constexpr const char* kOnlyNet = "check --no-config --only POLC-NET-001 ";

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST_CASE("D7: a symlink leading outside the scanned directories is never followed",
          "[hostile-io]") {
  test::TempDir dir("d7-links");
  dir.write("repo/t.yaml", kHeadline);
  dir.write("outside/creds", "SECRET-d7-creds\n");
  dir.write("outside/other.yaml",
            "Resources:\n  X: {Type: AWS::S3::Bucket}\nSECRET-d7-yaml: : x\n");
  dir.write("outside/dir/more.yaml", "SECRET-d7-dir: : x\n");
  fs::create_symlink("../outside/creds", dir.path() / "repo/creds.polc");
  fs::create_symlink("/proc/self/environ", dir.path() / "repo/env.polc");
  fs::create_symlink("../outside/other.yaml", dir.path() / "repo/linked.YAML");
  fs::create_directory_symlink("../outside/dir", dir.path() / "repo/linked-dir");
  fs::create_symlink("../outside/creds", dir.path() / "repo/README");  // not a candidate: ignored
  // Inside the tree: followed (a file), left out quietly (a directory, walked where it is).
  dir.write("repo/sub/inner.yaml", kHeadline);
  fs::create_symlink("sub/inner.yaml", dir.path() / "repo/alias.yaml");
  fs::create_directory_symlink("sub", dir.path() / "repo/sub-link");

  Run r = run_polc(dir.path(), std::string(kOnlyNet) + "repo", "SECRET_ENV_D7=SECRET-d7-env");
  INFO(r.out << r.err);
  CHECK_FALSE(has(r.out + r.err, "SECRET-d7"));
  CHECK(r.exit_code == 1);  // the findings of the files inside
  for (const char* link :
       {"repo/creds.polc", "repo/env.polc", "repo/linked.YAML", "repo/linked-dir"})
    CHECK(has(r.out, std::string(link) + ": error: not followed: a symlink"));
  CHECK_FALSE(has(r.out, "repo/README"));
  CHECK(has(r.out, "repo/alias.yaml:3:3: high"));
  CHECK(has(r.out, "repo/sub/inner.yaml:3:3: high"));
  CHECK_FALSE(has(r.out, "sub-link"));

  // Without findings the run fails all the same: something was not checked (exit 3).
  fs::remove(dir.path() / "repo/t.yaml");
  fs::remove_all(dir.path() / "repo/sub");
  fs::remove(dir.path() / "repo/alias.yaml");
  Run quiet = run_polc(dir.path(), std::string(kOnlyNet) + "-f json repo");
  CHECK(quiet.exit_code == 3);
  CHECK(has(quiet.out, "\"symlink-outside\""));

  // Symlinks in a --policies directory: the policy set is refused (exit 2), nothing printed.
  Run pol = run_polc(dir.path(), "check --no-config --policies repo outside/other.yaml");
  CHECK(pol.exit_code == 2);
  CHECK_FALSE(has(pol.out + pol.err, "SECRET-d7-creds"));

  // A file named on the command line is the user's choice: followed wherever it leads.
  dir.write("outside/t2.yaml", kHeadline);
  fs::create_symlink("../outside/t2.yaml", dir.path() / "repo/t2.yaml");
  CHECK(run_polc(dir.path(), std::string(kOnlyNet) + "repo/t2.yaml").exit_code == 1);
  // Another argument is a root too: a link to it is followed.
  Run two = run_polc(dir.path(), std::string(kOnlyNet) + "-f json repo outside/t2.yaml");
  CHECK(has(two.out, "\"repo/t2.yaml\""));
}

TEST_CASE("D7: imports stay inside the directories polc was given", "[hostile-io]") {
  test::TempDir dir("d7-imports");
  dir.write("secret.polc", "SECRET-d7-import\n");
  const std::string policy_tail =
      "policy p { id = \"ORG-1\" title = \"t\" severity = high\n"
      "  for sg in resources(\"AWS::EC2::SecurityGroup\") { require lib.ok() } }\n";
  dir.write("repo/policies/common/lib.polc", "fn ok() = false\n");
  dir.write("repo/policies/net/p.polc", "import \"../common/lib\"\n" + policy_tail);
  dir.write("repo/t/t.yaml", kHeadline);
  // Inside the root (`..` that stays in it): allowed.
  Run ok = run_polc(dir.path() / "repo", "check --no-config --no-builtin policies t");
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 1);
  CHECK(has(ok.out, "ORG-1"));

  const std::string abs = (dir.path() / "secret.polc").string();
  for (const std::string& target :
       {std::string("../../../secret"), abs, std::string("/proc/self/environ")}) {
    INFO(target);
    dir.write("repo/policies/net/p.polc", "import \"" + target + "\" as lib\n" + policy_tail);
    Run r = run_polc(dir.path() / "repo", "check --no-config --no-builtin policies t");
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, target.starts_with("/proc") ? "cannot import"
                                                 : "leads outside the directories polc was given"));
    CHECK_FALSE(has(r.out + r.err, "SECRET-d7"));
    CHECK_FALSE(has(r.out + r.err, "PATH="));
  }
  // Through a symlink inside the tree that leads out: the same.
  fs::create_symlink(dir.path() / "secret.polc", dir.path() / "repo/policies/common/evil.polc");
  dir.write("repo/policies/net/p.polc", "import \"../common/evil\" as lib\n" + policy_tail);
  Run link = run_polc(dir.path() / "repo",
                      "check --no-config --no-builtin --policies policies/net/p.polc t");
  CHECK(link.exit_code == 2);
  CHECK_FALSE(has(link.out + link.err, "SECRET-d7"));
}

TEST_CASE("D16: control characters from a template never reach human-readable output",
          "[hostile-io]") {
  test::TempDir dir("d16");
  const std::string id = R"("SG\n::error file=README.md,line=1::injected\r\e[8m\u202e\u0085")";
  std::string t = kHeadline;
  t.replace(t.find("  SG:"), 5, "  " + id + ":");
  t.replace(t.find("!Ref SG"), 7, "!Ref " + id);
  dir.write("t.yaml", t);
  dir.write("names/x\n::warning::name\x1b[2J.yaml", kHeadline);
  dir.write("esc.yaml",
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: # \x1b]0;pwned\x07\x1b[2J\n  B: "
            "{Type: AWS::S3::Bucket}\n");
  for (const char* format : {"text", "github"}) {
    INFO(format);
    Run r = run_polc(dir.path(), std::string(kOnlyNet) + "--no-color -f " + format + " . ");
    INFO(r.out);
    CHECK(r.exit_code == 1);
    CHECK_FALSE(has(r.out, "\n::error file=README"));
    CHECK_FALSE(has(r.out, "\n::warning::name"));
    CHECK_FALSE(has(r.out, "\x1b"));
    CHECK_FALSE(has(r.out, "\r"));
    CHECK_FALSE(has(r.out, "\u202e"));
    CHECK_FALSE(has(r.out, "\u0085"));
    CHECK(has(r.out, R"(SG\n::error file=README.md,line=1::injected\r\e[8m\u{202e}\u{0085})"));
    CHECK(has(r.out, R"(x\n::warning::name\e[2J.yaml)"));
  }
  // Diagnostics (stderr in a terminal, the text report here) and their source snippets.
  Run e = run_polc(dir.path(), "check --no-config --no-color esc.yaml");
  INFO(e.out);
  CHECK_FALSE(has(e.out + e.err, "\x1b"));
  CHECK_FALSE(has(e.out + e.err, "\x07"));
  // JSON and SARIF escape them with their encoders: still parseable, no raw control byte.
  for (const char* format : {"json", "sarif"}) {
    Run m = run_polc(dir.path(), std::string(kOnlyNet) + "-f " + format + " .");
    CHECK_FALSE(has(m.out, "\x1b"));
    CHECK_FALSE(has(m.out, "\r"));
    CHECK(has(m.out, "\\u001b"));
  }
}

TEST_CASE("D16: printable() escapes controls, C1, bidi and invalid bytes; width for carets",
          "[hostile-io]") {
  CHECK(printable("plain text, été, 日本") == "plain text, été, 日本");
  CHECK(printable("a\nb\rc\x1b[0m\x7f\x01\t") == "a\\nb\\rc\\e[0m\\x7f\\x01\t");
  CHECK(printable("\xc2\x9b"
                  "31m") == "\\u{009b}31m");  // C1 CSI
  CHECK(printable("\xe2\x80\xae"
                  "evil") == "\\u{202e}evil");  // RIGHT-TO-LEFT OVERRIDE
  CHECK(printable("\xe2\x81\xa6x\xe2\x80\xa8") == "\\u{2066}x\\u{2028}");
  CHECK(printable("\x9b"
                  "2J\xff") == "\\x9b2J\\xff");  // not UTF-8
  CHECK(printable_lines("one\ntwo\x1b") == "one\ntwo\\e");
  CHECK(is_printable("ok été"));
  CHECK_FALSE(is_printable("no\n"));
  CHECK(printable_width("a\x1b"
                        "b",
                        2) == 3);         // 'a' + "\e"
  CHECK(printable_width("été", 3) == 2);  // two code points
}

TEST_CASE("D4, D5: a directory that cannot be read fails the run and is named", "[hostile-io]") {
  test::TempDir dir("d45");
  ::chmod(dir.path().c_str(), 0755);
  dir.write("tree/ok.yaml",
            "Resources:\n  B: {Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: k}}\n");
  dir.write("tree/locked/t.yaml", kHeadline);
  ::chmod((dir.path() / "tree").c_str(), 0755);
  ::chmod((dir.path() / "tree/ok.yaml").c_str(), 0644);
  ::chmod((dir.path() / "tree/locked").c_str(), 0700);
  // Root reads everything: run polc as nobody where it can (setpriv), else as this user.
  std::string env;
  std::string as;
  if (::geteuid() == 0) {
    if (std::system("command -v setpriv >/dev/null 2>&1") != 0) {
      WARN("root without setpriv: the permission case is not exercised");
      return;
    }
    as = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  } else {
    ::chmod((dir.path() / "tree/locked").c_str(), 0);
  }
  const std::string polc = test::shell_quote(POLC_BINARY);
  for (const std::string& arg : {std::string("tree"), std::string("tree/locked")}) {
    INFO(arg);
    const std::string cmd = "cd " + test::shell_quote(dir.path().string()) + " && " + as + polc +
                            " check --no-config -f json " + arg + " > out.json 2>/dev/null";
    const int status = std::system(cmd.c_str());
    CHECK(WEXITSTATUS(status) == 3);
    const std::string out = test::read_text(dir.path() / "out.json");
    CHECK(has(out, "\"tree/locked\""));
    CHECK(has(out, "Permission denied"));
  }
  ::chmod((dir.path() / "tree/locked").c_str(), 0755);

  // EMFILE below the argument (a low open-file limit): an error too.
  dir.write("fd/a/b/c/d/e/f/g/h/t.yaml", kHeadline);
  Run low = run_polc(dir.path(), "check --no-config -q fd", "prlimit --nofile=12 --");
  // (prlimit runs polc: `env` is the command prefix.)
  CHECK(low.exit_code == 3);
  CHECK(has(low.out, "Too many open files"));
}

TEST_CASE("D12: --cache at or above the scanned directory leaves out only its own files",
          "[hostile-io]") {
  test::TempDir dir("d12");
  dir.write("repo/stack.yaml", kHeadline);
  for (const char* cache : {".", ".."}) {
    INFO(cache);
    for (int pass = 0; pass < 2; ++pass) {  // cold, then warm (the cache's files exist)
      Run r = run_polc(dir.path() / "repo", std::string(kOnlyNet) + "--cache " + cache + " .");
      CHECK(r.exit_code == 1);
      CHECK(has(r.out, "1 template checked"));
      CHECK(has(r.err, pass == 0 ? "0 hits, 1 miss" : "1 hit, 0 misses"));
    }
  }
}

TEST_CASE("D13: a report or baseline never overwrites an input", "[hostile-io]") {
  test::TempDir dir("d13");
  dir.write("stack.yaml", kHeadline);
  dir.write("t/net.yaml", kHeadline);
  dir.write("p/org.polc",
            "policy p { id = \"ORG-1\" title = \"t\" severity = low\n"
            "  for sg in resources(\"AWS::EC2::SecurityGroup\") { require true } }\n");
  const std::string before = test::read_text(dir.path() / "stack.yaml");
  const std::string policy = test::read_text(dir.path() / "p/org.polc");
  for (const std::string& args :
       {std::string("-o json=stack.yaml stack.yaml"),
        std::string("-o sarif=./stack.yaml t stack.yaml"),
        std::string("--write-baseline stack.yaml stack.yaml"), std::string("-o json=t/net.yaml t"),
        std::string("-o json=p/org.polc --policies p t"),
        std::string("--write-baseline p/org.polc p t")}) {
    INFO(args);
    Run r = run_polc(dir.path(), "check --no-config -q " + args);
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "refusing to write"));
  }
  CHECK(test::read_text(dir.path() / "stack.yaml") == before);
  CHECK(test::read_text(dir.path() / "p/org.polc") == policy);
  CHECK(has(test::read_text(dir.path() / "t/net.yaml"), "AWS::EC2::VPCEndpoint"));
  // The previous report inside the scanned tree is not a template: replaced, and not scanned.
  Run first = run_polc(dir.path(), std::string(kOnlyNet) + "-q -o json=t/report.json t");
  CHECK(first.exit_code == 1);
  Run again = run_polc(dir.path(), std::string(kOnlyNet) + "-o json=t/report.json t");
  CHECK(again.exit_code == 1);
  CHECK(has(again.out, "1 template checked; findings"));
}

TEST_CASE("D14: reports and baselines replace the previous file atomically", "[hostile-io]") {
  test::TempDir dir("d14");
  const std::string path = dir.write("base.json", "previous, good\n");
  ::chmod(path.c_str(), 0640);
  {  // A failed write (a full disk) leaves the previous file and no temporary file.
    OutputFile out(path);
    std::string error;
    REQUIRE(out.open(error));
    std::fputs("half of a new fi", out.file());
    CHECK_FALSE(out.commit(true, error));
  }
  {  // A run killed before the end: the same (the object dies without commit).
    OutputFile out(path);
    std::string error;
    REQUIRE(out.open(error));
    std::fputs("half", out.file());
  }
  CHECK(test::read_text(path) == "previous, good\n");
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) files += e.is_regular_file();
  CHECK(files == 1);
  {  // A whole write replaces it, with its mode.
    std::string error;
    REQUIRE(write_file_atomically(path, "new\n", error));
  }
  CHECK(test::read_text(path) == "new\n");
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  // Not a regular file: written to, never renamed over (a rename would replace /dev/null).
  {
    std::string error;
    REQUIRE(write_file_atomically("/dev/null", "x", error));
    REQUIRE(::stat("/dev/null", &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  }
  // A symlink: the file it leads to is replaced, the link stays.
  fs::create_symlink("base.json", dir.path() / "link.json");
  {
    std::string error;
    REQUIRE(write_file_atomically((dir.path() / "link.json").string(), "via link\n", error));
  }
  CHECK(fs::is_symlink(dir.path() / "link.json"));
  CHECK(test::read_text(path) == "via link\n");

  // End to end: a baseline that cannot be written keeps the previous one (exit 2).
  dir.write("t.yaml", kHeadline);
  fs::create_directory(dir.path() / "ro");
  const std::string kept = dir.write("ro/base.json", "{\"version\": 1, \"findings\": []}\n");
  Run r = run_polc(dir.path(), std::string(kOnlyNet) + "-q --write-baseline ro/base.json t.yaml",
                   "trap '' XFSZ; prlimit --fsize=10 --");
  CHECK(r.exit_code == 2);
  CHECK(test::read_text(kept) == "{\"version\": 1, \"findings\": []}\n");
}

TEST_CASE("D15: a failed write to standard output exits 2 with a message", "[hostile-io]") {
  test::TempDir dir("d15");
  dir.write("clean.yaml",
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  T:\n    Type: "
            "AWS::SNS::Topic\n    Properties: {KmsMasterKeyId: k}\n");
  dir.write("t.yaml", kHeadline);
  const std::string polc = test::shell_quote(POLC_BINARY);
  for (const std::string& args :
       {std::string("check --no-config -f json clean.yaml"),
        std::string("check --no-config t.yaml"), std::string("check --no-config -f sarif t.yaml"),
        std::string("explain POLC-NET-001"), std::string("dump t.yaml")}) {
    INFO(args);
    const std::string cmd = "cd " + test::shell_quote(dir.path().string()) + " && " + polc + " " +
                            args + " >/dev/full 2>err.txt";
    const int status = std::system(cmd.c_str());
    CHECK(WEXITSTATUS(status) == 2);
    CHECK(has(test::read_text(dir.path() / "err.txt"), "cannot write to standard output"));
  }
}

TEST_CASE("D17: JSON with comments and UTF-16/UTF-32 templates are checked, with an error",
          "[hostile-io]") {
  test::TempDir dir("d17");
  dir.write("d/commented.json",
            std::string("// the endpoint stack\n/* block\n comment */") + kHeadlineJson + "\n");
  // A string holding "//" is not a comment.
  dir.write("d/url.json",
            std::string(kHeadlineJson)
                    .replace(std::string(kHeadlineJson).find("\"x\""), 3, "\"http://x\"") +
                " // trailing\n");
  // Not CloudFormation (tsconfig.json): skipped quietly, as before.
  dir.write("d/tsconfig.json", "{\n  // options\n  \"compilerOptions\": {\"strict\": true}\n}\n");
  Run r = run_polc(dir.path(), std::string(kOnlyNet) + "-f json d");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "\"templates_checked\": 2"));
  CHECK(has(r.out, "\"files_skipped\": 1"));
  CHECK(has(r.out, "\"json-comment\""));
  CHECK(has(r.out, "\"d/commented.json\""));
  CHECK(has(r.out, "\"d/url.json\""));

  // Byte order marks: UTF-16 LE/BE and UTF-32 LE/BE.
  auto encode = [](const std::string& ascii, int unit, bool little) {
    std::string out;
    const auto put = [&](unsigned v) {
      for (int k = 0; k < unit; ++k) {
        const int shift = 8 * (little ? k : unit - 1 - k);
        out += static_cast<char>((v >> shift) & 0xFF);
      }
    };
    put(0xFEFF);
    for (unsigned char c : ascii) put(c);
    return out;
  };
  int n = 0;
  for (int unit : {2, 4})
    for (bool little : {true, false}) {
      const std::string name = "enc/t" + std::to_string(n++) + ".yaml";
      dir.write(name, encode(kHeadline, unit, little));
      Run e = run_polc(dir.path(), std::string(kOnlyNet) + name);
      INFO(name << e.out);
      CHECK(e.exit_code == 1);
      CHECK(has(e.out, "[encoding]"));
      CHECK(has(e.out, ":3:3: high [POLC-NET-001"));
    }
  // Without findings, the error alone fails the run.
  dir.write("clean/c.json",
            std::string("// c\n{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}\n"));
  CHECK(run_polc(dir.path(), std::string(kOnlyNet) + "clean").exit_code == 3);
}

TEST_CASE("D19: template extensions in any case are walked", "[hostile-io]") {
  test::TempDir dir("d19");
  for (const char* name : {"d/Stack.YAML", "d/net.Yml", "d/STACK.JSON", "d/app.Template"})
    dir.write(name, std::string(name).ends_with("JSON") ? kHeadlineJson : kHeadline);
  dir.write("d/x.yaml.txt", kHeadline);
  Run r = run_polc(dir.path(), std::string(kOnlyNet) + "d");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "4 templates checked"));
  CHECK_FALSE(has(r.out, "x.yaml.txt"));
}

TEST_CASE("issue 15: paths are normalized once; a file is checked and a policy loaded once",
          "[hostile-io]") {
  test::TempDir dir("paths");
  dir.write("policies/org.polc",
            "policy p { id = \"ORG-1\" title = \"t\" severity = low\n"
            "  for sg in resources(\"AWS::EC2::SecurityGroup\") { require false } }\n");
  dir.write("templates/a.yaml", kHeadline);
  dir.write("templates/b.yaml", kHeadline);
  dir.write(".polc.yaml", "policies: [policies/]\n");
  for (const char* args :
       {"", ".", "./", "templates", "templates ./templates templates/a.yaml ./templates/"}) {
    INFO(args);
    Run r = run_polc(dir.path(), std::string("check --only ORG-1 ") + args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.out, "2 templates checked"));
    CHECK(has(r.out, "findings: 2 low"));
    CHECK_FALSE(has(r.out, "./templates"));
  }
}

}  // namespace
}  // namespace polc
