#pragma once

#include <string>
#include <string_view>

namespace redwing {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

// Redis-style log lines ("pid:M 24 Nov 2026 10:00:00.123 * message") to the configured logfile or
// stdout. Thread-safe (serialised internally); for start-up, shutdown and rare events only.
void ConfigureLogging(int min_level, const std::string& logfile);
void Log(LogLevel level, std::string_view message);

}  // namespace redwing
