#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterServerCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
