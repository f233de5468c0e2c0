// Condition reasoning at scale: case 22's shape (`G` groups of `P` account/region pairs, a
// group's security group under `GroupN`, a default one under `Elsewhere = Not(Or(groups))`, a
// group with one egress rule per group under `Fn::If`, and an endpoint choosing among them with
// nested `Fn::If`s), checked with the whole pack.
//
// One benchmark run measures 5x10, 12x10, 50x10 and 100x10 in turn and reports same-run ratios:
// `vs_load_GxP` (evaluation time / load time of the same template, the floor) and `growth_GxP`
// (time at GxP over time at 5x10, divided by the growth of G x P: at most 1 when the time grows
// at most linearly with G x P). `clauses_default_GxP` is the number of clauses of the default
// group's finding ("when Elsewhere is true": 1).
#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>
#include <memory>
#include <string>

#include "bench/bench_data.h"
#include "dsl/compiler.h"
#include "engine/load/loader.h"
#include "engine/scan/scanner.h"
#include "engine/vm/vm.h"

namespace polc::bench {
namespace {

std::string fanout(int groups, int pairs) {
  const char* regions[] = {"us-west-2",      "eu-west-1",      "eu-central-1", "eu-north-1",
                           "ap-southeast-2", "ap-northeast-1", "us-east-2",    "ca-central-1",
                           "sa-east-1",      "ap-south-1"};
  std::string t = "Conditions:\n";
  for (int g = 1; g <= groups; ++g) {
    std::string ors;
    for (int p = 1; p <= pairs; ++p) {
      std::string name = "G" + std::to_string(g) + "P" + std::to_string(p);
      t += "  " + name + ": !And [!Equals [!Ref \"AWS::AccountId\", \"" +
           std::to_string(100000000000LL + g * 1000 + p) + "\"], !Equals [!Ref \"AWS::Region\", " +
           regions[(g + p) % 10] + "]]\n";
      ors += (p > 1 ? ", " : "") + std::string("!Condition ") + name;
    }
    t += "  Group" + std::to_string(g) + ": !Or [" + ors + "]\n";
  }
  // Fn::Or takes at most 10 operands: Elsewhere is Not(Or(Or(10 groups), ...)).
  t += "  Elsewhere: !Not [!Or [";
  for (int g = 1; g <= groups; g += 10) {
    t += g > 1 ? ", !Or [" : "!Or [";
    for (int k = g; k < g + 10 && k <= groups; ++k)
      t += (k > g ? ", " : "") + std::string("!Condition Group") + std::to_string(k);
    t += "]";
  }
  t += "]]\nResources:\n";
  for (int g = 1; g <= groups; ++g)
    t += "  GroupSg" + std::to_string(g) +
         ":\n    Type: AWS::EC2::SecurityGroup\n    Condition: Group" + std::to_string(g) +
         "\n    Properties:\n      GroupDescription: g\n      VpcId: vpc-1\n      "
         "SecurityGroupEgress:\n"
         "        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8}\n";
  t +=
      "  DefaultSg:\n    Type: AWS::EC2::SecurityGroup\n    Condition: Elsewhere\n    Properties:\n"
      "      GroupDescription: d\n      VpcId: vpc-1\n";
  t += "  RegionalSg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: "
       "r\n"
       "      VpcId: vpc-1\n      SecurityGroupEgress:\n";
  for (int g = 1; g <= groups; ++g)
    t += "        - !If [Group" + std::to_string(g) +
         ", {IpProtocol: tcp, FromPort: " + std::to_string(8000 + g) +
         ", ToPort: " + std::to_string(8000 + g) + ", CidrIp: 10.0.0.0/8}, !Ref AWS::NoValue]\n";
  std::string choice = "!Ref DefaultSg";
  for (int g = groups; g >= 1; --g)
    choice = "!If [Group" + std::to_string(g) + ", !Ref GroupSg" + std::to_string(g) + ", " +
             choice + "]";
  t += "  MyEndpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n      VpcEndpointType: "
       "Interface\n"
       "      ServiceName: com.amazonaws.us-east-1.ssm\n      VpcId: vpc-1\n      "
       "SecurityGroupIds:\n"
       "        - " +
       choice + "\n        - !Ref RegionalSg\n";
  return t;
}

// The thread's CPU time in seconds: the machine is shared, and wall time of a 10 ms evaluation
// measures the other processes as much as this one.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Measure {
  double load = 1e9, eval = 1e9;  // the least of the rounds (least disturbed by other processes)
  std::size_t default_clauses = 0;
  bool incomplete = false;
};

// One load and one evaluation of the GxP template `text`, folded into `m`.
void measure_once(const std::string& text, Measure& m) {
  const PolicySet* set = standard_pack();
  std::vector<std::uint32_t> active;
  std::vector<PolicyInfo> known;
  for (std::uint32_t i = 0; i < set->policies.size(); ++i) {
    active.push_back(i);
    known.push_back(set->policies[i].info);
  }
  double t0 = cpu_now();
  LoadResult lr = load_template_bytes("fanout.yaml", text);
  m.load = std::min(m.load, cpu_now() - t0);
  if (!lr.tmpl) return;
  ScanOptions o;
  Vm vm(*set);
  t0 = cpu_now();
  FileOutcome out = check_template(vm, *set, active, known, *lr.tmpl, o);
  m.eval = std::min(m.eval, cpu_now() - t0);
  m.incomplete |= out.incomplete;
  for (const Finding& f : out.findings)
    if (f.resource == "DefaultSg" && f.policy_name == "vpce-sg-no-implicit-egress")
      m.default_clauses = f.conditions.size();
}

void BM_ConditionsGxP(benchmark::State& state) {
  if (!standard_pack()) {
    state.SkipWithError("the standard pack does not compile");
    return;
  }
  const int sizes[][2] = {{5, 10}, {12, 10}, {50, 10}, {100, 10}};
  constexpr int kSizes = 4;
  std::string texts[kSizes];
  for (int i = 0; i < kSizes; ++i) texts[i] = fanout(sizes[i][0], sizes[i][1]);
  Measure ms[kSizes];
  Measure warm;
  measure_once(texts[0], warm);  // warm up: the pack, the solver's node table, the allocator
  // Rounds interleave the sizes, so that a burst of load from other processes falls on all.
  for (auto _ : state)
    for (int round = 0; round < 9; ++round)
      for (int i = 0; i < kSizes; ++i) measure_once(texts[i], ms[i]);
  for (int i = 0; i < kSizes; ++i) {
    const std::string tag = std::to_string(sizes[i][0]) + "x" + std::to_string(sizes[i][1]);
    state.counters["vs_load_" + tag] = ms[i].eval / ms[i].load;
    state.counters["clauses_default_" + tag] = static_cast<double>(ms[i].default_clauses);
    state.counters["incomplete_" + tag] = ms[i].incomplete ? 1 : 0;
    const double size_growth =
        double(sizes[i][0] * sizes[i][1]) / double(sizes[0][0] * sizes[0][1]);
    state.counters["growth_" + tag] = (ms[i].eval / ms[0].eval) / size_growth;
    // Evaluation time per G x P unit, in microseconds.
    state.counters["us_per_unit_" + tag] = 1e6 * ms[i].eval / (sizes[i][0] * sizes[i][1]);
  }
}
BENCHMARK(BM_ConditionsGxP)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace polc::bench
