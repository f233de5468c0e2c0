#include "engine/model/dump.h"

#include "engine/base/json_writer.h"

#include <charconv>
#include <cmath>

#include "engine/base/limits.h"

namespace polc {
namespace {

/// Values nest at most `kMaxNestingDepth` levels (the loaders enforce it); the printers recurse
/// per level, so they stop, printing `"..."`, a little past that bound.
constexpr std::size_t kMaxPrintDepth = kMaxNestingDepth + 16;

/// Compact containers up to this many bytes print on one line in the pretty dump.
constexpr std::size_t kInlineWidth = 72;

void append_double(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "\".nan\"";
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "\".inf\"" : "\"-.inf\"";
    return;
  }
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, ec == std::errc() ? p : buf);
}

void append_scalar(std::string& out, const Value* v) {
  switch (v->kind) {
    case ValueKind::kNull:
      out += "null";
      break;
    case ValueKind::kBool:
      out += v->boolean ? "true" : "false";
      break;
    case ValueKind::kInt:
      out += std::to_string(v->integer);
      break;
    case ValueKind::kFloat:
      append_double(out, v->number);
      break;
    case ValueKind::kString:
      append_json_string(out, v->str());
      break;
    default:
      break;
  }
}

void compact(std::string& out, const Value* v, std::size_t depth) {
  if (v == nullptr) {
    out += "null";
    return;
  }
  if (depth > kMaxPrintDepth) {
    out += "\"...\"";
    return;
  }
  if (v->is_list()) {
    out += '[';
    bool first = true;
    for (const Value* item : v->list()) {
      if (!first) out += ',';
      first = false;
      compact(out, item, depth + 1);
    }
    out += ']';
  } else if (v->is_map()) {
    out += '{';
    bool first = true;
    for (const MapEntry& e : v->map()) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, e.key);
      out += ':';
      compact(out, e.value, depth + 1);
    }
    out += '}';
  } else {
    append_scalar(out, v);
  }
}

/// Pretty JSON writer: objects and lists open on the current line, members on their own.
class Pretty {
 public:
  std::string out;

  void newline(int indent) {
    out += '\n';
    out.append(static_cast<std::size_t>(indent) * 2, ' ');
  }
  void value(const Value* v, int indent, std::size_t depth = 0) {
    if (v == nullptr || depth > kMaxPrintDepth || (!v->is_list() && !v->is_map())) {
      compact(out, v, depth);
      return;
    }
    std::string one;
    compact(one, v, depth);
    if (one.size() <= kInlineWidth || v->size == 0) {
      out += one;
      return;
    }
    bool first = true;
    if (v->is_list()) {
      out += '[';
      for (const Value* item : v->list()) {
        if (!first) out += ',';
        first = false;
        newline(indent + 1);
        value(item, indent + 1, depth + 1);
      }
      newline(indent);
      out += ']';
    } else {
      out += '{';
      for (const MapEntry& e : v->map()) {
        if (!first) out += ',';
        first = false;
        newline(indent + 1);
        append_json_string(out, e.key);
        out += ": ";
        value(e.value, indent + 1, depth + 1);
      }
      newline(indent);
      out += '}';
    }
  }
};

/// Emits the members of one JSON object, handling commas and indentation.
class ObjectWriter {
 public:
  ObjectWriter(Pretty& p, int indent) : p_(p), indent_(indent) { p_.out += '{'; }
  void key(std::string_view k) {
    if (!first_) p_.out += ',';
    first_ = false;
    p_.newline(indent_ + 1);
    append_json_string(p_.out, k);
    p_.out += ": ";
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(p_.out, v);
  }
  void num(std::string_view k, std::uint64_t v) {
    key(k);
    p_.out += std::to_string(v);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    p_.out += v ? "true" : "false";
  }
  void value(std::string_view k, const Value* v) {
    key(k);
    p_.value(v, indent_ + 1);
  }
  int child_indent() const { return indent_ + 1; }
  void close() {
    if (!first_) p_.newline(indent_);
    p_.out += '}';
  }

 private:
  Pretty& p_;
  int indent_;
  bool first_ = true;
};

std::string_view ref_kind_name(RefKind k) {
  switch (k) {
    case RefKind::kRef:
      return "Ref";
    case RefKind::kGetAtt:
      return "GetAtt";
    case RefKind::kSub:
      return "Sub";
    case RefKind::kDependsOn:
      return "DependsOn";
  }
  return "?";
}

std::string_view target_kind_name(TargetKind k) {
  switch (k) {
    case TargetKind::kResource:
      return "resource";
    case TargetKind::kParameter:
      return "parameter";
    case TargetKind::kPseudoParameter:
      return "pseudo";
    case TargetKind::kUnknown:
      return "unknown";
  }
  return "?";
}

}  // namespace

std::string value_to_json(const Value* v) {
  std::string out;
  compact(out, v, 0);
  return out;
}

std::string dump_template_json(const Template& t) {
  Pretty p;
  const SourceFile& file = t.file();
  ObjectWriter top(p, 0);
  top.str("file", file.path());
  top.boolean("sam", t.is_sam());

  top.key("parameters");
  {
    ObjectWriter params(p, 1);
    for (const Parameter& prm : t.parameters()) {
      params.key(prm.name);
      ObjectWriter o(p, 2);
      LineCol lc = file.locate(prm.offset);
      o.str("type", prm.type);
      if (prm.default_value) o.value("default", prm.default_value);
      o.num("line", lc.line);
      o.num("column", lc.column);
      o.close();
    }
    params.close();
  }

  top.key("conditions");
  {
    ObjectWriter conds(p, 1);
    for (const ConditionDecl& c : t.conditions()) {
      conds.key(c.name);
      ObjectWriter o(p, 2);
      o.value("expr", c.expr);
      o.num("line", file.locate(c.offset).line);
      o.close();
    }
    conds.close();
  }

  top.key("resources");
  {
    ObjectWriter res(p, 1);
    for (const Resource& r : t.resources()) {
      res.key(r.logical_id);
      ObjectWriter o(p, 2);
      LineCol lc = file.locate(r.offset);
      o.str("type", r.type);
      o.num("line", lc.line);
      o.num("column", lc.column);
      if (!r.condition.empty()) o.str("condition", r.condition);
      if (!r.depends_on.empty()) {
        o.key("depends_on");
        p.out += '[';
        for (std::size_t i = 0; i < r.depends_on.size(); ++i) {
          if (i) p.out += ", ";
          append_json_string(p.out, r.depends_on[i]);
        }
        p.out += ']';
      }
      if (!r.cdk_path.empty()) o.str("cdk_path", r.cdk_path);
      if (!r.generated_by.empty()) o.str("generated_by", r.generated_by);
      if (r.properties) o.value("properties", r.properties);
      if (r.metadata) o.value("metadata", r.metadata);
      o.close();
    }
    res.close();
  }

  top.key("outputs");
  {
    ObjectWriter outs(p, 1);
    for (const Output& out : t.outputs()) {
      outs.key(out.name);
      ObjectWriter o(p, 2);
      o.num("line", file.locate(out.offset).line);
      o.value("output", out.node);
      o.close();
    }
    outs.close();
  }

  top.key("references");
  p.out += '[';
  bool first = true;
  for (const Reference& ref : t.references()) {
    if (!first) p.out += ',';
    first = false;
    p.newline(2);
    ObjectWriter o(p, 2);
    if (ref.from == kNoIndex)
      o.str("from", "Outputs");
    else
      o.str("from", t.resources()[ref.from].logical_id);
    o.str("path", ref.path);
    o.str("kind", ref_kind_name(ref.kind));
    o.str("target", ref.target);
    if (!ref.attribute.empty()) o.str("attribute", ref.attribute);
    o.str("target_kind", target_kind_name(ref.target_kind));
    if (!ref.guards.empty()) {
      o.key("guards");
      p.out += '[';
      for (std::size_t i = 0; i < ref.guards.size(); ++i) {
        if (i) p.out += ", ";
        p.out += "{\"condition\": ";
        append_json_string(p.out, ref.guards[i].condition);
        p.out += ", \"branch\": ";
        p.out += ref.guards[i].branch ? "true}" : "false}";
      }
      p.out += ']';
    }
    LineCol lc = file.locate(ref.offset);
    o.num("line", lc.line);
    o.num("column", lc.column);
    o.close();
  }
  if (!first) p.newline(1);
  p.out += ']';
  top.close();
  p.out += '\n';
  return p.out;
}

}  // namespace polc
