// Stacks that reference each other within one `polc check` run: an `Outputs.*.Export.Name` of
// one template and an `Fn::ImportValue` of another, and a nested stack
// (`AWS::CloudFormation::Stack`) whose `TemplateURL` names a local file (or, in a CDK cloud
// assembly, whose `Metadata.aws:asset:path` names it).
//
// Two stages. The *index* (`LinkPlan`) covers every template of the run (all shards): the
// scan (`scan_linked`, engine/scan/scanner.h) reads each file once. A template the run checks
// gives its link facts (names and paths, not templates) from the model the check loads anyway;
// a file it does not load (another shard's, or one whose outcome the cache gives) is loaded for
// them only when a byte search (`may_link`) finds `Export`, `ImportValue` or
// `AWS::CloudFormation::Stack` in its bytes. `LinkPlan::finish`, once every file is read, links
// names to exports and local paths to scanned files and reports, as diagnostics, what it will
// not guess: an export name several templates declare, an export name that does not resolve
// statically, an import no template of the run exports, a nested template that is not among
// the scanned files.
//
// While the scan checks a linked template, the scanner loads its neighbourhood (the templates it
// imports from, those that import its exports, its parent and children, and its parent's other
// children: at most `kMaxLinkedTemplates`) and builds a `StackWorld` over them, which the VM
// asks how `Fn::ImportValue`, a parameter passed by a parent stack and `Fn::GetAtt
// Stack.Outputs.Name` resolve, and which resources of other templates refer to a resource.
//
// A template's stack name is its file's stem (`network.yaml` -> `network`, CDK's
// `App.template.json` -> `App`), so `!Sub "${AWS::StackName}-X"` resolves; parameters resolve
// from their defaults. Facts: AWS CloudFormation User Guide, "Outputs", "Fn::ImportValue",
// "AWS::CloudFormation::Stack" and "Working with nested stacks".
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/model/template.h"

namespace polc {

/// The stack name a template file is deployed as by default: its file name without the
/// extension and without CDK's `.template` / `.nested.template` suffix. Pure.
std::string default_stack_name(std::string_view path);

/// False when `contents` certainly declares no export, import or nested stack (a byte search:
/// neither `ImportValue` nor `AWS::CloudFormation::Stack` occurs, `Export` never as a key (before
/// a colon), and no `\u`, `\U` or `\x` escape could spell them). Linear, no allocation.
bool may_link(std::string_view contents);

/// A string value known without deploying: literals, `Fn::Sub` and `Fn::Join` of such values,
/// `Ref` to `AWS::StackName` (`stack_name`) and to parameters with a default. nullopt otherwise.
std::optional<std::string> static_string(const Template& t, const Value* v,
                                         std::string_view stack_name);

/// The local template file the nested stack resource `r` of `t` names, relative to `t`'s file
/// and lexically normal; "" when it names none (an S3 or HTTPS URL, an intrinsic function).
std::string nested_template_path(const Template& t, const Resource& r);

/// `path` lexically normal and without a leading `./`, as the plan compares paths.
std::string link_path_key(std::string_view path);

/// What the index keeps of one template.
struct LinkFacts {
  struct Export {
    std::string name;  // "" when it does not resolve statically
    Location location;
  };
  struct Import {
    std::string name;  // "" when it does not resolve statically
    Location location;
  };
  struct Child {
    std::string path;  // link_path_key form
    Location location;
    /// The other nested templates whose outputs the parent passes to this one as parameters
    /// (`Fn::GetAtt [Sibling, Outputs.Name]`), link_path_key form.
    std::vector<std::string> fed_by;
  };
  std::vector<Export> exports;
  std::vector<Import> imports;
  std::vector<Child> children;
  bool empty() const { return exports.empty() && imports.empty() && children.empty(); }
};

/// The link facts of `t` deployed as `stack_name`.
LinkFacts link_facts(const Template& t, std::string_view stack_name);

/// The links of one run, from the index. Built by one thread (`add`, then `finish`); after
/// `finish` it is immutable and may be read from any number of threads.
class LinkPlan {
 public:
  /// Adds the facts of the template at `path` (as the scan names it). Facts may be empty for a
  /// file that is only someone's nested template; `add` keeps only non-empty ones.
  void add(const std::string& path, LinkFacts facts);
  /// Links exports to imports and local paths to the files added or scanned: `scanned(key)`
  /// gives the path, as the scan names it, of the template of this run whose `link_path_key`
  /// is `key`, or "" when there is none. Paths are then looked up as the scan names them.
  /// With `digests`, reads each linked file once more to hash it (for the result cache).
  template <class Scanned>
  void finish(const Scanned& scanned, bool digests) {
    finish_impl([&](const std::string& key) -> std::string { return scanned(key); }, digests);
  }
  /// True when no template of the run links to another and there is nothing to report.
  bool empty() const { return neighbours_.empty() && diagnostics_.empty(); }
  /// The templates `path` needs to be checked with, itself first, as paths to load; empty when
  /// it links to none.
  std::vector<std::string> neighbourhood(std::string_view path) const;
  /// A digest of the neighbourhood's paths and contents at index time (hex), for the result
  /// cache: a cached outcome of a linked template is used only while none of them changed.
  std::string digest(std::string_view path) const;
  /// Diagnostics about the links of `path` (see the file comment).
  std::vector<Diagnostic> diagnostics(std::string_view path) const;

 private:
  void finish_impl(const std::function<std::string(const std::string&)>& scanned, bool digests);
  struct Entry {
    std::string path;  // as scanned
    LinkFacts facts;
  };
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::uint32_t> by_key_;
  struct Neighbours {
    std::vector<std::string> paths;
    std::string digest;
  };
  std::unordered_map<std::string, Neighbours> neighbours_;  // by path as scanned
  std::unordered_map<std::string, std::vector<Diagnostic>> diagnostics_;
};

/// Where a link leads: a value node of another (or the same) template.
struct LinkTarget {
  const Template* tmpl = nullptr;
  const Value* node = nullptr;
  explicit operator bool() const { return tmpl != nullptr; }
};

/// A resource of one template referred to from a property of a resource of another, through
/// an export, a parent's parameter or a nested stack's output.
struct ExternalReference {
  const Template* from_template = nullptr;
  std::uint32_t from = kNoIndex;
  std::string path;  // below the referring resource, as `Reference::path`
};

/// The linked templates one check sees. Owns nothing: the templates must outlive it. Immutable
/// after construction; thread-safe to read.
class StackWorld {
 public:
  struct Member {
    const Template* tmpl = nullptr;
    std::string path;  // as loaded
  };
  explicit StackWorld(std::vector<Member> members);

  /// The exported value an `Fn::ImportValue` node of a member resolves to.
  LinkTarget import_value(const Value* import_node) const;
  /// The value the one parent stack passes for parameter `name` of `t`.
  LinkTarget parameter(const Template& t, std::string_view name) const;
  /// `Fn::GetAtt [stack, "Outputs.Name"]`: the value of output `Name` of the nested template.
  LinkTarget stack_output(const Template& t, std::uint32_t stack_resource,
                          std::string_view attribute) const;
  /// The resources of other members that refer to resource `resource` of `t`.
  const std::vector<ExternalReference>& referrers(const Template& t, std::uint32_t resource) const;

 private:
  std::optional<std::pair<const Template*, std::uint32_t>> follow(const Template* t, const Value* v,
                                                                  int depth) const;
  std::vector<Member> members_;
  std::unordered_map<const Value*, LinkTarget> imports_;
  struct Binding {
    const Template* parent = nullptr;
    const Value* parameters = nullptr;  // the stack resource's `Properties.Parameters`
    int parents = 0;
  };
  std::unordered_map<const Template*, Binding> bindings_;
  // (template, stack resource) -> nested template.
  std::unordered_map<const Template*, std::unordered_map<std::uint32_t, const Template*>> children_;
  std::unordered_map<const Template*,
                     std::unordered_map<std::uint32_t, std::vector<ExternalReference>>>
      referrers_;
};

}  // namespace polc
