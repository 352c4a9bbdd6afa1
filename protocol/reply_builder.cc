#include "protocol/reply_builder.h"

#include <cstring>

#include "protocol/numbers.h"

namespace redwing {

void ReplyBuilder::Header(char type, int64_t n) {
  char* p = out_->PrepareWrite(kMaxIntChars + 3);
  p[0] = type;
  size_t len = 1 + FormatInt64(n, p + 1);
  p[len++] = '\r';
  p[len++] = '\n';
  out_->Commit(len);
}

void ReplyBuilder::SimpleString(std::string_view s) {
  char* p = out_->PrepareWrite(s.size() + 3);
  p[0] = '+';
  if (!s.empty()) std::memcpy(p + 1, s.data(), s.size());
  p[s.size() + 1] = '\r';
  p[s.size() + 2] = '\n';
  out_->Commit(s.size() + 3);
}

void ReplyBuilder::Error(std::string_view msg) {
  // An error reply is one line: newlines in a message would break the protocol, so Redis
  // replaces them with spaces; we do the same.
  char* p = out_->PrepareWrite(msg.size() + 3);
  p[0] = '-';
  for (size_t i = 0; i < msg.size(); ++i) {
    char c = msg[i];
    p[i + 1] = (c == '\r' || c == '\n') ? ' ' : c;
  }
  p[msg.size() + 1] = '\r';
  p[msg.size() + 2] = '\n';
  out_->Commit(msg.size() + 3);
}

void ReplyBuilder::Integer(int64_t v) {
  Header(':', v);
}

void ReplyBuilder::Bulk(std::string_view s) {
  char* p = out_->PrepareWrite(s.size() + kMaxIntChars + 5);
  p[0] = '$';
  size_t len = 1 + FormatInt64(static_cast<int64_t>(s.size()), p + 1);
  p[len++] = '\r';
  p[len++] = '\n';
  if (!s.empty()) std::memcpy(p + len, s.data(), s.size());  // an empty view may be null
  len += s.size();
  p[len++] = '\r';
  p[len++] = '\n';
  out_->Commit(len);
}

void ReplyBuilder::BulkInt(int64_t v) {
  char buf[kMaxIntChars];
  Bulk(std::string_view(buf, FormatInt64(v, buf)));
}

void ReplyBuilder::Null() {
  if (resp_ >= 3) {
    out_->Append("_\r\n", 3);
  } else {
    out_->Append("$-1\r\n", 5);
  }
}

void ReplyBuilder::NullArray() {
  if (resp_ >= 3) {
    out_->Append("_\r\n", 3);
  } else {
    out_->Append("*-1\r\n", 5);
  }
}

void ReplyBuilder::ArrayHeader(size_t n) {
  Header('*', static_cast<int64_t>(n));
}

void ReplyBuilder::MapHeader(size_t pairs) {
  if (resp_ >= 3) {
    Header('%', static_cast<int64_t>(pairs));
  } else {
    Header('*', static_cast<int64_t>(pairs * 2));
  }
}

void ReplyBuilder::SetHeader(size_t n) {
  Header(resp_ >= 3 ? '~' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::PushHeader(size_t n) {
  Header(resp_ >= 3 ? '>' : '*', static_cast<int64_t>(n));
}

void ReplyBuilder::Double(double d) {
  if (resp_ < 3) {
    char buf[kMaxDoubleChars];
    Bulk(std::string_view(buf, FormatDouble(d, buf)));
    return;
  }
  // RESP3 ",<text>\r\n": the text goes straight into the output.
  char* p = out_->PrepareWrite(kMaxDoubleChars + 3);
  p[0] = ',';
  size_t len = 1 + FormatDouble(d, p + 1);
  p[len++] = '\r';
  p[len++] = '\n';
  out_->Commit(len);
}

void ReplyBuilder::Bool(bool b) {
  if (resp_ >= 3) {
    out_->Append(b ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_->Append(b ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyBuilder::Verbatim(std::string_view format, std::string_view text) {
  if (resp_ < 3) {
    Bulk(text);
    return;
  }
  Header('=', static_cast<int64_t>(text.size() + 4));
  out_->Append(format.substr(0, 3));
  out_->Push(':');
  out_->Append(text);
  out_->Append("\r\n", 2);
}

}  // namespace redwing
