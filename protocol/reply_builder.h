#pragma once

#include <cstdint>
#include <string_view>

#include "protocol/byte_buffer.h"

namespace redwing {

// Encodes replies into a ByteBuffer in the connection's protocol version (RESP2 or RESP3).
// Command code never writes raw RESP: it calls these. Each call appends; nothing is flushed here.
// Not thread-safe: used by whichever thread is running the command (see server/command_context.h).
class ReplyBuilder {
 public:
  ReplyBuilder(ByteBuffer* out, int resp) : out_(out), resp_(resp) {}

  int resp() const { return resp_; }
  void set_resp(int resp) { resp_ = resp; }

  void Ok() { out_->Append("+OK\r\n", 5); }
  void SimpleString(std::string_view s);
  // `msg` is the full error text, e.g. "ERR syntax error" or "WRONGTYPE ...": no leading '-'.
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void BulkInt(int64_t v);  // an integer as a bulk string (e.g. INCRBYFLOAT-style replies)
  void Null();              // $-1 / _
  void NullArray();         // *-1 / _
  void ArrayHeader(size_t n);
  void MapHeader(size_t pairs);                                   // RESP2: an array of 2n elements
  void SetHeader(size_t n);                                       // RESP2: an array
  void PushHeader(size_t n);                                      // RESP2: an array
  void Double(double d);                                          // RESP2: a bulk string
  void Bool(bool b);                                              // RESP2: :1 / :0
  void Verbatim(std::string_view format, std::string_view text);  // RESP2: a bulk string
  // Appends replies already encoded for this connection (e.g. built ahead, sent later).
  void Raw(std::string_view encoded) { out_->Append(encoded); }

 private:
  void Header(char type, int64_t n);

  ByteBuffer* out_;
  int resp_;
};

}  // namespace redwing
