#include "transports/uhid/uhid_event.h"

#include <linux/uhid.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

namespace vfido::transport::uhid {
namespace {

static_assert(std::is_trivially_copyable_v<uhid_event>);
static_assert(offsetof(uhid_event, u) == 4, "uhid_event: __u32 type, then the packed union");

constexpr std::size_t kHeader = offsetof(uhid_event, u);

// Bytes an event of this kind needs to be complete: the header plus the payload struct up to
// and including the last field vfido reads.
template <typename Member>
constexpr std::size_t needs() {
  return kHeader + sizeof(Member);
}

// An event read from `bytes`, zero-filled past their end (as the kernel does for short writes).
uhid_event load(ByteSpan bytes) {
  uhid_event ev{};
  std::memcpy(&ev, bytes.data(), std::min(bytes.size(), sizeof(ev)));
  return ev;
}

// The first `n` bytes of `ev`, as one write().
Bytes store(const uhid_event& ev, std::size_t n) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&ev);
  return Bytes(p, p + std::min(n, sizeof(ev)));
}

// Copies `s` into a fixed, NUL-terminated char field of `cap` bytes.
bool put_string(std::uint8_t* field, std::size_t cap, const std::string& s) {
  if (s.size() >= cap || s.find('\0') != std::string::npos) return false;
  std::memcpy(field, s.data(), s.size());
  field[s.size()] = 0;
  return true;
}

std::string get_string(const std::uint8_t* field, std::size_t cap) {
  const auto* end = std::find(field, field + cap, std::uint8_t{0});
  return std::string(field, end);
}

}  // namespace

std::string_view uhid_error_text(UhidError e) {
  switch (e) {
    case UhidError::kTooShort:
      return "uhid event too short for its type";
    case UhidError::kFieldTooLong:
      return "name, phys or serial too long (limits 127, 63, 63 bytes) or contains NUL";
    case UhidError::kEmptyDescriptor:
      return "report descriptor must be 1..4096 bytes";
    case UhidError::kReportTooLong:
      return "report longer than UHID_DATA_MAX (4096 bytes)";
  }
  return "uhid error";
}

std::string_view output_problem_text(OutputProblem p) {
  switch (p) {
    case OutputProblem::kNotOutputReport:
      return "not an output report";
    case OutputProblem::kEmpty:
      return "no report data";
    case OutputProblem::kNumberedReport:
      return "non-zero report number (the FIDO descriptor has no report IDs)";
    case OutputProblem::kTooLong:
      return "longer than one 64-byte report";
  }
  return "unusable output report";
}

std::size_t event_size() { return sizeof(uhid_event); }

UhidResult<Event> decode_event(ByteSpan bytes) {
  if (bytes.size() < kHeader) return tl::unexpected(UhidError::kTooShort);
  const uhid_event ev = load(bytes);
  switch (ev.type) {
    case UHID_START:
      if (bytes.size() < needs<uhid_start_req>()) return tl::unexpected(UhidError::kTooShort);
      return Start{ev.u.start.dev_flags};
    case UHID_STOP:
      return Stop{};
    case UHID_OPEN:
      return Open{};
    case UHID_CLOSE:
      return Close{};
    case UHID_OUTPUT: {
      // `size` and `rtype` follow the 4096-byte data array, so only a whole struct is usable.
      if (bytes.size() < needs<uhid_output_req>()) return tl::unexpected(UhidError::kTooShort);
      const std::size_t size = std::min<std::size_t>(ev.u.output.size, UHID_DATA_MAX);
      return Output{Bytes(ev.u.output.data, ev.u.output.data + size), ev.u.output.rtype};
    }
    case UHID_GET_REPORT:
      if (bytes.size() < needs<uhid_get_report_req>()) return tl::unexpected(UhidError::kTooShort);
      return GetReport{ev.u.get_report.id, ev.u.get_report.rnum, ev.u.get_report.rtype};
    case UHID_SET_REPORT: {
      constexpr std::size_t head = kHeader + offsetof(uhid_set_report_req, data);
      if (bytes.size() < head) return tl::unexpected(UhidError::kTooShort);
      const std::size_t size = std::min<std::size_t>(ev.u.set_report.size, UHID_DATA_MAX);
      if (bytes.size() < head + size) return tl::unexpected(UhidError::kTooShort);
      return SetReport{ev.u.set_report.id, ev.u.set_report.rnum, ev.u.set_report.rtype,
                       Bytes(ev.u.set_report.data, ev.u.set_report.data + size)};
    }
    default:
      return OtherEvent{ev.type};
  }
}

tl::expected<ByteSpan, OutputProblem> output_report(const Output& output) {
  if (output.rtype != UHID_OUTPUT_REPORT) return tl::unexpected(OutputProblem::kNotOutputReport);
  if (output.data.size() < 2) return tl::unexpected(OutputProblem::kEmpty);
  if (output.data[0] != 0) return tl::unexpected(OutputProblem::kNumberedReport);
  ByteSpan report = ByteSpan(output.data).subspan(1);
  if (report.size() > 64) return tl::unexpected(OutputProblem::kTooLong);
  return report;
}

UhidResult<Bytes> encode_create2(const DeviceInfo& info) {
  if (info.report_descriptor.empty()) return tl::unexpected(UhidError::kEmptyDescriptor);
  uhid_event ev{};
  if (info.report_descriptor.size() > sizeof(ev.u.create2.rd_data)) return tl::unexpected(UhidError::kFieldTooLong);
  ev.type = UHID_CREATE2;
  if (!put_string(ev.u.create2.name, sizeof(ev.u.create2.name), info.name) ||
      !put_string(ev.u.create2.phys, sizeof(ev.u.create2.phys), info.phys) ||
      !put_string(ev.u.create2.uniq, sizeof(ev.u.create2.uniq), info.uniq)) {
    return tl::unexpected(UhidError::kFieldTooLong);
  }
  ev.u.create2.rd_size = static_cast<std::uint16_t>(info.report_descriptor.size());
  ev.u.create2.bus = info.bus;
  ev.u.create2.vendor = info.vendor;
  ev.u.create2.product = info.product;
  ev.u.create2.version = info.version;
  ev.u.create2.country = info.country;
  std::memcpy(ev.u.create2.rd_data, info.report_descriptor.data(), info.report_descriptor.size());
  // Everything up to the end of the descriptor; the kernel zero-fills the rest.
  return store(ev, kHeader + offsetof(uhid_create2_req, rd_data) + info.report_descriptor.size());
}

UhidResult<Bytes> encode_input2(ByteSpan report) {
  uhid_event ev{};
  if (report.size() > sizeof(ev.u.input2.data)) return tl::unexpected(UhidError::kReportTooLong);
  ev.type = UHID_INPUT2;
  ev.u.input2.size = static_cast<std::uint16_t>(report.size());
  std::memcpy(ev.u.input2.data, report.data(), report.size());
  return store(ev, kHeader + offsetof(uhid_input2_req, data) + report.size());
}

Bytes encode_destroy() {
  uhid_event ev{};
  ev.type = UHID_DESTROY;
  return store(ev, kHeader);
}

Bytes encode_get_report_reply(std::uint32_t id, std::uint16_t err, ByteSpan data) {
  uhid_event ev{};
  ev.type = UHID_GET_REPORT_REPLY;
  ev.u.get_report_reply.id = id;
  ev.u.get_report_reply.err = err;
  const std::size_t n = std::min(data.size(), sizeof(ev.u.get_report_reply.data));
  ev.u.get_report_reply.size = static_cast<std::uint16_t>(n);
  if (n > 0) std::memcpy(ev.u.get_report_reply.data, data.data(), n);
  return store(ev, kHeader + offsetof(uhid_get_report_reply_req, data) + n);
}

Bytes encode_set_report_reply(std::uint32_t id, std::uint16_t err) {
  uhid_event ev{};
  ev.type = UHID_SET_REPORT_REPLY;
  ev.u.set_report_reply.id = id;
  ev.u.set_report_reply.err = err;
  return store(ev, needs<uhid_set_report_reply_req>());
}

UhidResult<Request> decode_request(ByteSpan bytes) {
  if (bytes.size() < kHeader) return tl::unexpected(UhidError::kTooShort);
  const uhid_event ev = load(bytes);
  switch (ev.type) {
    case UHID_CREATE2: {
      constexpr std::size_t head = kHeader + offsetof(uhid_create2_req, rd_data);
      if (bytes.size() < head) return tl::unexpected(UhidError::kTooShort);
      const auto& c = ev.u.create2;
      const std::size_t rd = std::min<std::size_t>(c.rd_size, sizeof(c.rd_data));
      if (bytes.size() < head + rd) return tl::unexpected(UhidError::kTooShort);
      Create2 out;
      out.info.name = get_string(c.name, sizeof(c.name));
      out.info.phys = get_string(c.phys, sizeof(c.phys));
      out.info.uniq = get_string(c.uniq, sizeof(c.uniq));
      out.info.bus = c.bus;
      out.info.vendor = c.vendor;
      out.info.product = c.product;
      out.info.version = c.version;
      out.info.country = c.country;
      out.info.report_descriptor.assign(c.rd_data, c.rd_data + rd);
      return out;
    }
    case UHID_INPUT2: {
      constexpr std::size_t head = kHeader + offsetof(uhid_input2_req, data);
      if (bytes.size() < head) return tl::unexpected(UhidError::kTooShort);
      const std::size_t size = std::min<std::size_t>(ev.u.input2.size, UHID_DATA_MAX);
      if (bytes.size() < head + size) return tl::unexpected(UhidError::kTooShort);
      return Input2{Bytes(ev.u.input2.data, ev.u.input2.data + size)};
    }
    case UHID_DESTROY:
      return Destroy{};
    case UHID_GET_REPORT_REPLY: {
      constexpr std::size_t head = kHeader + offsetof(uhid_get_report_reply_req, data);
      if (bytes.size() < head) return tl::unexpected(UhidError::kTooShort);
      const auto& r = ev.u.get_report_reply;
      const std::size_t size = std::min<std::size_t>(r.size, UHID_DATA_MAX);
      if (bytes.size() < head + size) return tl::unexpected(UhidError::kTooShort);
      return GetReportReply{r.id, r.err, Bytes(r.data, r.data + size)};
    }
    case UHID_SET_REPORT_REPLY:
      if (bytes.size() < needs<uhid_set_report_reply_req>()) return tl::unexpected(UhidError::kTooShort);
      return SetReportReply{ev.u.set_report_reply.id, ev.u.set_report_reply.err};
    default:
      return OtherEvent{ev.type};
  }
}

Bytes encode_event(const Event& event) {
  uhid_event ev{};
  return std::visit(
      [&ev](const auto& e) -> Bytes {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Start>) {
          ev.type = UHID_START;
          ev.u.start.dev_flags = e.dev_flags;
          return store(ev, needs<uhid_start_req>());
        } else if constexpr (std::is_same_v<T, Stop>) {
          ev.type = UHID_STOP;
          return store(ev, kHeader);
        } else if constexpr (std::is_same_v<T, Open>) {
          ev.type = UHID_OPEN;
          return store(ev, kHeader);
        } else if constexpr (std::is_same_v<T, Close>) {
          ev.type = UHID_CLOSE;
          return store(ev, kHeader);
        } else if constexpr (std::is_same_v<T, Output>) {
          ev.type = UHID_OUTPUT;
          const std::size_t n = std::min(e.data.size(), sizeof(ev.u.output.data));
          if (n > 0) std::memcpy(ev.u.output.data, e.data.data(), n);
          ev.u.output.size = static_cast<std::uint16_t>(n);
          ev.u.output.rtype = e.rtype;
          return store(ev, needs<uhid_output_req>());
        } else if constexpr (std::is_same_v<T, GetReport>) {
          ev.type = UHID_GET_REPORT;
          ev.u.get_report.id = e.id;
          ev.u.get_report.rnum = e.rnum;
          ev.u.get_report.rtype = e.rtype;
          return store(ev, needs<uhid_get_report_req>());
        } else if constexpr (std::is_same_v<T, SetReport>) {
          ev.type = UHID_SET_REPORT;
          ev.u.set_report.id = e.id;
          ev.u.set_report.rnum = e.rnum;
          ev.u.set_report.rtype = e.rtype;
          const std::size_t n = std::min(e.data.size(), sizeof(ev.u.set_report.data));
          ev.u.set_report.size = static_cast<std::uint16_t>(n);
          if (n > 0) std::memcpy(ev.u.set_report.data, e.data.data(), n);
          return store(ev, kHeader + offsetof(uhid_set_report_req, data) + n);
        } else {
          ev.type = e.type;
          return store(ev, kHeader);
        }
      },
      event);
}

}  // namespace vfido::transport::uhid
