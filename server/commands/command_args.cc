// The argument grammar's parser (recursive descent over the grammar described in command_args.h)
// and the lookup of documentation rows by command name.

#include "server/commands/command_args.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

namespace redwing {
namespace {

struct NamedType {
  std::string_view name;
  ArgType type;
};

constexpr NamedType kTypeNames[] = {
    {"string", ArgType::kString},        {"integer", ArgType::kInteger},
    {"double", ArgType::kDouble},        {"key", ArgType::kKey},
    {"pattern", ArgType::kPattern},      {"unix-time", ArgType::kUnixTime},
    {"pure-token", ArgType::kPureToken}, {"oneof", ArgType::kOneOf},
    {"block", ArgType::kBlock},
};

// Leaf types a grammar may name after ':'.
bool LeafType(std::string_view name, ArgType* type) {
  for (const NamedType& t : kTypeNames) {
    if (t.name == name && t.type != ArgType::kPureToken && t.type != ArgType::kOneOf &&
        t.type != ArgType::kBlock) {
      *type = t.type;
      return true;
    }
  }
  return false;
}

bool HasLower(std::string_view s) {
  for (char c : s) {
    if (std::islower(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parses one grammar string. Each method consumes what it recognises and returns false with
// `error_` set on malformed input; the work is linear in the grammar's length.
class GrammarParser {
 public:
  explicit GrammarParser(std::string_view text) : s_(text) {}

  bool Parse(std::vector<CommandArg>* out, std::string* error) {
    bool ok = ParseSequence(out) && (AtEnd() || Fail("unexpected character"));
    if (!ok) *error = error_;
    return ok;
  }

 private:
  bool AtEnd() {
    SkipBlanks();
    return pos_ == s_.size();
  }
  char Peek() { return AtEnd() ? '\0' : s_[pos_]; }
  bool Fail(std::string_view what) {
    error_ = std::string(what) + " at offset " + std::to_string(pos_) + " of \"" + std::string(s_) +
             "\"";
    return false;
  }
  void SkipBlanks() {
    while (pos_ < s_.size() && s_[pos_] == ' ')
      ++pos_;
  }
  bool Expect(char c) {
    if (Peek() != c) return Fail(std::string("expected '") + c + "'");
    ++pos_;
    return true;
  }
  static bool WordChar(char c) {
    return c != ' ' && c != '\'' &&
           std::string_view("[]()|{}@#.=").find(c) == std::string_view::npos;
  }
  std::string_view Word() {
    size_t start = pos_;
    while (pos_ < s_.size() && WordChar(s_[pos_]))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A token at the cursor: a quoted text or a word without lower-case letters. Leaves the cursor
  // where it was and returns false if there is none.
  bool Token(std::string* token) {
    SkipBlanks();
    size_t start = pos_;
    if (Peek() == '\'') {
      size_t end = s_.find('\'', pos_ + 1);
      if (end == std::string_view::npos) return false;
      *token = std::string(s_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return true;
    }
    std::string_view w = Word();
    if (w.empty() || HasLower(w) || (pos_ < s_.size() && s_[pos_] == '=')) {
      pos_ = start;
      return false;
    }
    *token = std::string(w);
    return true;
  }
  // Whether the next item starts with a name (so that a token before it introduces it).
  bool NameFollows() {
    SkipBlanks();
    return pos_ < s_.size() && std::islower(static_cast<unsigned char>(s_[pos_]));
  }

  bool ParseSequence(std::vector<CommandArg>* out) {
    while (!AtEnd() && std::string_view("])}|").find(Peek()) == std::string_view::npos) {
      out->emplace_back();
      if (!ParseArg(&out->back())) return false;
    }
    return true;
  }

  bool ParseArg(CommandArg* arg) {
    if (Peek() == '[') {
      ++pos_;
      if (!ParseArg(arg) || !Expect(']')) return false;
      arg->optional = true;
    } else if (!ParseCore(arg)) {
      return false;
    }
    return ParseSuffixes(arg);
  }

  // A pure token, or an optional token followed by a leaf, a oneof or a block.
  bool ParseCore(CommandArg* arg) {
    std::string token;
    if (Token(&token)) {
      if (!NameFollows()) {
        arg->name = Lower(token);
        arg->type = ArgType::kPureToken;
        arg->token = std::move(token);
        return true;
      }
      arg->token = std::move(token);
    }
    SkipBlanks();
    std::string_view word = Word();
    if (word.empty() || !HasLower(word)) return Fail("expected an argument name");
    if (pos_ < s_.size() && s_[pos_] == '=') {  // name=TOKEN
      ++pos_;
      arg->name = std::string(word);
      arg->type = ArgType::kPureToken;
      if (!arg->token.empty() || !Token(&arg->token)) return Fail("expected a token after '='");
      return true;
    }
    if (word.back() == ':' && pos_ < s_.size() && (s_[pos_] == '(' || s_[pos_] == '{')) {
      arg->name = std::string(word.substr(0, word.size() - 1));
      return s_[pos_] == '(' ? ParseOneOf(arg) : ParseBlock(arg);
    }
    size_t colon = word.rfind(':');
    if (colon != std::string_view::npos && LeafType(word.substr(colon + 1), &arg->type)) {
      word = word.substr(0, colon);
    }
    arg->name = std::string(word);
    if (arg->type == ArgType::kKey) {
      arg->key_spec_index = 0;
      if (pos_ < s_.size() && s_[pos_] == '#') {
        ++pos_;
        std::string_view digits = Word();
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
          return Fail("expected a key spec index after '#'");
        }
        arg->key_spec_index = std::atoi(std::string(digits).c_str());
      }
    }
    return true;
  }

  bool ParseOneOf(CommandArg* arg) {
    arg->type = ArgType::kOneOf;
    ++pos_;  // '('
    for (;;) {
      arg->args.emplace_back();
      if (!ParseArg(&arg->args.back())) return false;
      if (Peek() != '|') return Expect(')');
      ++pos_;
    }
  }

  bool ParseBlock(CommandArg* arg) {
    arg->type = ArgType::kBlock;
    ++pos_;  // '{'
    if (!ParseSequence(&arg->args)) return false;
    if (arg->args.empty()) return Fail("empty block");
    return Expect('}');
  }

  bool ParseSuffixes(CommandArg* arg) {
    for (;;) {
      if (s_.substr(pos_).starts_with("...")) {
        pos_ += 3;
        arg->multiple = true;
        if (pos_ < s_.size() && s_[pos_] == '+') {
          ++pos_;
          arg->multiple_token = true;
        }
      } else if (pos_ < s_.size() && s_[pos_] == '@') {
        ++pos_;
        constexpr std::string_view kDeprecated = "deprecated:";
        bool deprecated = s_.substr(pos_).starts_with(kDeprecated);
        if (deprecated) pos_ += kDeprecated.size();
        size_t start = pos_;
        while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                    (s_[pos_] == '.' && !s_.substr(pos_).starts_with("..."))))
          ++pos_;
        if (start == pos_) return Fail("expected a version after '@'");
        (deprecated ? arg->deprecated_since : arg->since) = s_.substr(start, pos_ - start);
      } else {
        return true;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

struct DocTable {
  std::vector<CommandDoc> rows;
  std::unordered_map<std::string_view, const CommandDoc*> by_name;
};

const DocTable& Table() {
  static const DocTable* table = [] {
    auto* t = new DocTable{CommandDocRows(), {}};
    for (CommandDoc& row : t->rows) {
      std::string error;
      if (!ParseArgGrammar(row.grammar, &row.args, &error)) {
        std::fprintf(stderr, "COMMAND DOCS table, %.*s: %s\n", static_cast<int>(row.name.size()),
                     row.name.data(), error.c_str());
        std::abort();
      }
    }
    for (const CommandDoc& row : t->rows)
      t->by_name.emplace(row.name, &row);
    return t;
  }();
  return *table;
}

}  // namespace

std::string_view ArgTypeName(ArgType type) {
  for (const NamedType& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "string";
}

bool ParseArgGrammar(std::string_view grammar, std::vector<CommandArg>* out, std::string* error) {
  return GrammarParser(grammar).Parse(out, error);
}

const CommandDoc* FindCommandDoc(std::string_view name) {
  const DocTable& t = Table();
  auto it = t.by_name.find(name);
  return it == t.by_name.end() ? nullptr : it->second;
}

const std::vector<CommandDoc>& AllCommandDocs() {
  return Table().rows;
}

}  // namespace redwing
