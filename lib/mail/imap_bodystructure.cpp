#include "mail/imap_bodystructure.hpp"

#include <optional>

#include "core/str.hpp"
#include "mail/imap_envelope.hpp"
#include "mail/imap_string.hpp"

namespace gm::mail {
namespace {

class BodyWriter {
 public:
  BodyWriter(bool extended, bool utf8) : extended_(extended), utf8_(utf8) {}

  void part(const MimePart& p) {
    if (p.is_multipart())
      multipart(p);
    else
      single(p);
  }

  std::string take() { return std::move(out_); }

 private:
  void str(std::string_view s) { append_string(out_, s, utf8_); }
  void nstr(std::string_view s) {
    append_nstring(out_, s.empty() ? std::nullopt : std::optional<std::string_view>(s), utf8_);
  }

  // body-fld-param: NIL or ("name" "value" ...). RFC 2231 values go out as
  // name* with the joined, still encoded value, as Dovecot sends them.
  void params(const std::vector<MimeParam>& list) {
    if (list.empty()) {
      out_.append("NIL");
      return;
    }
    out_.push_back('(');
    for (size_t i = 0; i < list.size(); ++i) {
      const MimeParam& p = list[i];
      if (i) out_.push_back(' ');
      if (p.extended_value.empty()) {
        str(p.name);
        out_.push_back(' ');
        str(p.value);
      } else {
        str(p.name + "*");
        out_.push_back(' ');
        str(p.extended_value);
      }
    }
    out_.push_back(')');
  }

  // body-fld-dsp
  void disposition(const MimePart& p) {
    if (p.disposition.empty()) {
      out_.append("NIL");
      return;
    }
    out_.push_back('(');
    str(p.disposition);
    out_.push_back(' ');
    params(p.disposition_params);
    out_.push_back(')');
  }

  // body-fld-lang: NIL, "en" or ("en" "de").
  void language(const MimePart& p) {
    std::vector<std::string> tags = split(p.language, ", \t");
    if (tags.empty()) {
      out_.append("NIL");
    } else if (tags.size() == 1) {
      str(tags[0]);
    } else {
      out_.push_back('(');
      for (size_t i = 0; i < tags.size(); ++i) {
        if (i) out_.push_back(' ');
        str(tags[i]);
      }
      out_.push_back(')');
    }
  }

  void tail_extension(const MimePart& p) {
    out_.push_back(' ');
    disposition(p);
    out_.push_back(' ');
    language(p);
    out_.push_back(' ');
    nstr(p.location);
  }

  void multipart(const MimePart& p) {
    out_.push_back('(');
    if (p.children.empty()) {
      // RFC 9051 grammar wants at least one body: a multipart without
      // parts (no boundary found) shows one empty text part.
      single(MimePart{});
    }
    for (const MimePart& child : p.children) part(child);
    out_.push_back(' ');
    str(p.subtype);
    if (extended_) {
      out_.push_back(' ');
      params(p.params);
      tail_extension(p);
    }
    out_.push_back(')');
  }

  void single(const MimePart& p) {
    bool message = p.type == "message" && (p.subtype == "rfc822" || p.subtype == "global");
    out_.push_back('(');
    str(p.type);
    out_.push_back(' ');
    str(p.subtype);
    out_.push_back(' ');
    if (p.type == "text") {
      // RFC 2046 4.1.2: text without a charset is us-ascii; say so, and put
      // the charset first, as Dovecot does.
      std::vector<MimeParam> list{MimeParam{"charset", "us-ascii", {}}};
      for (const MimeParam& param : p.params) {
        if (param.name == "charset")
          list.front() = param;
        else
          list.push_back(param);
      }
      params(list);
    } else {
      params(p.params);
    }
    out_.push_back(' ');
    nstr(p.id);
    out_.push_back(' ');
    nstr(p.description);
    out_.push_back(' ');
    str(p.encoding.empty() ? std::string_view("7bit") : std::string_view(p.encoding));
    out_.append(str_cat(" ", p.body_size));
    if (message) {
      out_.push_back(' ');
      if (p.is_message()) {
        out_.append(imap_envelope(p.children.front().envelope_fields, utf8_));
        out_.push_back(' ');
        part(p.children.front());
      } else {  // nesting too deep to parse: an empty message
        out_.append(imap_envelope({}, utf8_));
        out_.push_back(' ');
        single(MimePart{});
      }
    }
    if (message || p.type == "text") out_.append(str_cat(" ", p.body_lines));
    if (extended_) {
      out_.push_back(' ');
      nstr(p.md5);
      tail_extension(p);
    }
    out_.push_back(')');
  }

  bool extended_, utf8_;
  std::string out_;
};

}  // namespace

std::string imap_bodystructure(const MimePart& part, bool extended, bool utf8) {
  BodyWriter writer(extended, utf8);
  writer.part(part);
  return writer.take();
}

}  // namespace gm::mail
