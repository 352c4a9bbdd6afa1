#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterConfigCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
