// Micro-benchmarks of the request parser and the reply encoder.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "protocol/byte_buffer.h"
#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"

namespace redwing {
namespace {

std::string MultibulkSet(int i) {
  std::string key = "key:" + std::to_string(100000 + i);
  std::string value(32, 'v');
  return "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$" +
         std::to_string(value.size()) + "\r\n" + value + "\r\n";
}

// A pipeline of 16 SET commands in one buffer, parsed in place as a connection does.
void BM_ParsePipelinedSet(benchmark::State& state) {
  constexpr int kCommands = 16;
  std::string buffer;
  for (int i = 0; i < kCommands; ++i)
    buffer += MultibulkSet(i);
  RespParser parser;
  for (auto _ : state) {
    std::string_view rest = buffer;
    int commands = 0;
    while (!rest.empty()) {
      size_t consumed = 0;
      if (parser.Parse(rest, &consumed) != RespParser::Status::kCommand) {
        state.SkipWithError("parse failed");
        return;
      }
      benchmark::DoNotOptimize(parser.args().data());
      rest.remove_prefix(consumed);
      ++commands;
    }
    if (commands != kCommands) state.SkipWithError("wrong command count");
  }
  state.SetItemsProcessed(state.iterations() * kCommands);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buffer.size()));
}
BENCHMARK(BM_ParsePipelinedSet);

void BM_ParseInline(benchmark::State& state) {
  const std::string line = "SET key:100000 \"some value with spaces\"\r\n";
  RespParser parser;
  for (auto _ : state) {
    size_t consumed = 0;
    auto st = parser.Parse(line, &consumed);
    if (st != RespParser::Status::kCommand || parser.args().size() != 3) {
      state.SkipWithError("parse failed");
      return;
    }
    benchmark::DoNotOptimize(parser.args().data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseInline);

// Bulk replies of the given size into a buffer that is cleared every 64 replies (like a
// connection's output buffer after a write).
void BM_ReplyBulk(benchmark::State& state) {
  const std::string value(static_cast<size_t>(state.range(0)), 'x');
  ByteBuffer out;
  ReplyBuilder rb(&out, 2);
  int n = 0;
  for (auto _ : state) {
    rb.Bulk(value);
    if (++n == 64) {
      benchmark::DoNotOptimize(out.data());
      out.Clear();
      n = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ReplyBulk)->Arg(16)->Arg(1024);

void BM_ReplyInteger(benchmark::State& state) {
  ByteBuffer out;
  ReplyBuilder rb(&out, 2);
  int64_t v = 1234567;
  int n = 0;
  for (auto _ : state) {
    rb.Integer(v++);
    if (++n == 64) {
      benchmark::DoNotOptimize(out.data());
      out.Clear();
      n = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReplyInteger);

}  // namespace
}  // namespace redwing
