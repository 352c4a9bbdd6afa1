#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterKeyCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
