#include "server/command_registry.h"

#include <cctype>

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
}

const CommandSpec* CommandRegistry::Find(std::string_view name) const {
  char buf[64];
  if (name.size() > sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  // Heterogeneous lookup would avoid this string; command names are short (SSO, no allocation).
  auto it = commands_.find(std::string(buf, name.size()));
  return it == commands_.end() ? nullptr : it->second.get();
}

CommandSpec& CommandRegistry::Add(CommandSpec spec) {
  spec.id = next_id_++;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec& ref = *owned;
  all_.push_back(&ref);
  by_id_.push_back(&ref);
  commands_.emplace(ref.name, std::move(owned));
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
