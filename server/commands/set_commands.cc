#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterSetCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
