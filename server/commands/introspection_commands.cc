#include "server/commands/command_helpers.h"

namespace redwing {

void RegisterIntrospectionCommands(CommandRegistry& r) {
  (void)r;
}

}  // namespace redwing
