#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterClientCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
