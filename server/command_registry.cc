#include "server/command_registry.h"

#include <cassert>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "server/commands/command_args.h"

namespace redwing {

bool CommandSpec::FindKeys(std::span<const std::string_view> args, std::vector<int>* keys) const {
  if (key_finder != nullptr) return key_finder(args, keys);
  if (first_key <= 0) return true;
  int argc = static_cast<int>(args.size());
  int last = last_key >= 0 ? last_key : argc + last_key;
  const int step = key_step > 0 ? key_step : 1;
  for (int i = first_key; i <= last && i < argc; i += step) {
    keys->push_back(i);
  }
  return true;
}

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

const CommandSpec* CommandSpec::FindSubcommand(std::string_view sub) const {
  auto it = subcommands.find(Lower(sub));
  return it == subcommands.end() ? nullptr : it->second.get();
}

const CommandRegistry& CommandRegistry::Get() {
  static const CommandRegistry* registry = new CommandRegistry();
  return *registry;
}

CommandRegistry::CommandRegistry() {
  RegisterStringCommands(*this);
  RegisterKeyCommands(*this);
  RegisterConnectionCommands(*this);
  RegisterServerCommands(*this);
  RegisterTransactionCommands(*this);
  RegisterConfigCommands(*this);
  RegisterClientCommands(*this);
  RegisterIntrospectionCommands(*this);
  RegisterHashCommands(*this);
  RegisterListCommands(*this);
  RegisterSetCommands(*this);
  RegisterSortedSetCommands(*this);
  RegisterBlockingCommands(*this);
  RegisterSortCommands(*this);
  RegisterPubSubCommands(*this);
  CheckDocumented();
}

// Builds the documentation table now, so that a malformed row stops the server at start-up, and
// stops it too if a command has no row: COMMAND DOCS reads nothing else (the unit tests catch
// both first).
void CommandRegistry::CheckDocumented() const {
  (void)AllCommandDocs();
  for (const CommandSpec* spec : by_id_) {
    if (FindCommandDoc(spec->name) == nullptr) {
      std::fprintf(stderr, "command %s has no row in the COMMAND DOCS table\n", spec->name.c_str());
      std::abort();
    }
  }
}

namespace {
// FNV-1a over the ASCII-lowercased name: command lookup runs once per request, so it avoids
// locale-aware tolower and std::string.
uint64_t NameHash(std::string_view name, char* lowered) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    lowered[i] = c;
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return h;
}
}  // namespace

const CommandSpec* CommandRegistry::Find(std::string_view name) const {
  char lowered[kMaxNameLength];
  if (name.size() > kMaxNameLength) return nullptr;
  uint64_t h = NameHash(name, lowered);
  std::string_view key(lowered, name.size());
  for (size_t i = h & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
    const CommandSpec* spec = slots_[i];
    if (spec == nullptr) return nullptr;
    if (spec->name == key) return spec;
  }
}

void CommandRegistry::IndexForLookup(const CommandSpec* spec) {
  // Open addressing, kept at most half full (there are a few hundred commands).
  if ((all_.size() + 1) * 2 > slots_.size()) {
    std::vector<const CommandSpec*> bigger(slots_.empty() ? 256 : slots_.size() * 2, nullptr);
    slots_.swap(bigger);
    for (const CommandSpec* c : all_) {
      if (c != spec) InsertSlot(c);
    }
  }
  InsertSlot(spec);
}

void CommandRegistry::InsertSlot(const CommandSpec* spec) {
  assert(spec->name.size() <= kMaxNameLength);
  char lowered[kMaxNameLength];
  uint64_t h = NameHash(spec->name, lowered);
  size_t i = h & (slots_.size() - 1);
  while (slots_[i] != nullptr)
    i = (i + 1) & (slots_.size() - 1);
  slots_[i] = spec;
}

CommandSpec& CommandRegistry::Add(CommandSpec spec) {
  spec.id = next_id_++;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec& ref = *owned;
  all_.push_back(&ref);
  by_id_.push_back(&ref);
  IndexForLookup(&ref);
  commands_.push_back(std::move(owned));
  return ref;
}

CommandSpec& CommandRegistry::AddSubcommand(CommandSpec& parent, CommandSpec spec) {
  std::string sub = spec.name;
  spec.name = parent.name + "|" + sub;
  spec.id = next_id_++;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec& ref = *owned;
  by_id_.push_back(&ref);
  parent.subcommands.emplace(sub, std::move(owned));
  return ref;
}

}  // namespace redwing
