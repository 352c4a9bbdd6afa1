#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterHashCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
