#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterListCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
