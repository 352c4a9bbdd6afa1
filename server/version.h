#pragma once

namespace redwing {

inline constexpr const char kRedwingVersion[] = "0.1.0";
// The Redis version Redwing reports (INFO redis_version, HELLO): clients gate features on it.
inline constexpr const char kRedisVersion[] = "7.0.15";

}  // namespace redwing
