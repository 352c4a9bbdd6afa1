// COMMAND DOCS / COMMAND INFO rows of the zset commands (see command_args.h for the grammar).

#include "server/commands/command_args.h"

namespace redwing {

void AppendSortedSetCommandDocs(std::vector<CommandDoc>* rows) {
  (void)rows;
}

}  // namespace redwing
