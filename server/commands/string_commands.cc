#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterStringCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
