// The kernel's uhid character-device protocol (linux/uhid.h, Documentation/hid/uhid.rst): every
// read() from /dev/uhid returns one `struct uhid_event`, every write() sends one. This file only
// encodes and decodes those events; it does no I/O, so it is tested without a kernel.
//
// Layout: a native-endian __u32 type followed by a packed union (the kernel header's own struct is
// used, so the byte layout is the kernel ABI by construction). A write may be shorter than the
// whole struct (the kernel zero-fills the rest), which keeps INPUT2 and DESTROY writes small.
//
// Also here: the FIDO HID report descriptor (CTAP 2.1 §11.2.8.1) and the one rule for turning an
// UHID_OUTPUT payload into a CTAPHID report.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"

namespace vfido::transport::uhid {

// CTAP 2.1 §11.2.8.1 "HID report descriptor and device discovery": usage page 0xF1D0 (FIDO
// Alliance), usage 0x01 (CTAPHID), one 64-byte input report (usage 0x20) and one 64-byte output
// report (usage 0x21), no report IDs.
inline constexpr std::array<std::uint8_t, 34> kFidoReportDescriptor = {
    0x06, 0xD0, 0xF1,  // Usage Page (FIDO Alliance, 0xF1D0)
    0x09, 0x01,        // Usage (CTAPHID, 0x01)
    0xA1, 0x01,        // Collection (Application)
    0x09, 0x20,        //   Usage (Input Report Data)
    0x15, 0x00,        //   Logical Minimum (0)
    0x26, 0xFF, 0x00,  //   Logical Maximum (255)
    0x75, 0x08,        //   Report Size (8 bits)
    0x95, 0x40,        //   Report Count (64)
    0x81, 0x02,        //   Input (Data, Variable, Absolute)
    0x09, 0x21,        //   Usage (Output Report Data)
    0x15, 0x00,        //   Logical Minimum (0)
    0x26, 0xFF, 0x00,  //   Logical Maximum (255)
    0x75, 0x08,        //   Report Size (8 bits)
    0x95, 0x40,        //   Report Count (64)
    0x91, 0x02,        //   Output (Data, Variable, Absolute)
    0xC0,              // End Collection
};

// linux/input.h BUS_USB: hosts (browsers, libfido2) treat the device like a USB security key.
inline constexpr std::uint16_t kBusUsb = 0x03;

// What UHID_CREATE2 announces. The string limits are the kernel struct's (NUL included).
struct DeviceInfo {
  static constexpr std::size_t kMaxName = 127;  // uhid_create2_req.name[128]
  static constexpr std::size_t kMaxPhys = 63;   // .phys[64]
  static constexpr std::size_t kMaxUniq = 63;   // .uniq[64]

  std::string name;  // product name (HID_NAME; what `fido2-token -L` and browsers show)
  std::string phys;  // physical location (HID_PHYS)
  std::string uniq;  // serial number (HID_UNIQ)
  std::uint16_t bus = kBusUsb;
  std::uint32_t vendor = 0;
  std::uint32_t product = 0;
  std::uint32_t version = 0;
  std::uint32_t country = 0;
  Bytes report_descriptor{kFidoReportDescriptor.begin(), kFidoReportDescriptor.end()};
};

enum class UhidError : std::uint8_t {
  kTooShort,         // fewer bytes than the event type needs
  kFieldTooLong,     // a name/phys/uniq string or a descriptor that does not fit the kernel struct
  kEmptyDescriptor,  // UHID_CREATE2 needs 1..4096 descriptor bytes
  kReportTooLong,    // more than UHID_DATA_MAX bytes of report data
};
std::string_view uhid_error_text(UhidError e);

template <typename T>
using UhidResult = tl::expected<T, UhidError>;

// ---- kernel → vfido -------------------------------------------------------------------------

// The kernel's report types (enum uhid_report_type).
enum class ReportType : std::uint8_t { kFeature = 0, kOutput = 1, kInput = 2 };

struct Start {
  std::uint64_t dev_flags = 0;  // UHID_DEV_NUMBERED_* bits; none for the FIDO descriptor
};
struct Stop {};
struct Open {};   // the first host opened the hidraw node
struct Close {};  // the last host closed it
struct Output {   // an output report written by a host (hidraw write)
  Bytes data;     // as the kernel gives it: the report-number byte first (see output_report())
  std::uint8_t rtype = 0;
};
struct GetReport {  // a host asked for a report (HIDIOCGFEATURE...): must be answered
  std::uint32_t id = 0;
  std::uint8_t rnum = 0;
  std::uint8_t rtype = 0;
};
struct SetReport {  // a host set a report through the control channel: must be answered
  std::uint32_t id = 0;
  std::uint8_t rnum = 0;
  std::uint8_t rtype = 0;
  Bytes data;
};
struct OtherEvent {  // an event type vfido does not act on (obsolete UHID_OUTPUT_EV, future ones)
  std::uint32_t type = 0;
};

using Event = std::variant<Start, Stop, Open, Close, Output, GetReport, SetReport, OtherEvent>;

// Decodes one event as read() returned it. Extra bytes past the event's payload are ignored; an
// event shorter than its payload is kTooShort (a read is never expected to be, but nothing the
// kernel or a fake sends may crash the daemon).
UhidResult<Event> decode_event(ByteSpan bytes);

// Why an UHID_OUTPUT carries no CTAPHID report.
enum class OutputProblem : std::uint8_t {
  kNotOutputReport,  // rtype is not an output report
  kEmpty,            // only the report-number byte, or nothing
  kNumberedReport,   // report number != 0: the FIDO descriptor declares no report IDs
  kTooLong,          // more than 64 bytes after the report number
};
std::string_view output_problem_text(OutputProblem p);

// The CTAPHID report inside an UHID_OUTPUT. hidraw passes a host's whole write to uhid, report
// number included (hidraw_send_report → hid_hw_output_report → uhid_hid_output_raw copies the
// buffer as is), so data[0] is the report number, which must be 0 for a device without report
// IDs, and the report follows. libfido2 and hidapi write 65 bytes: 0x00 then 64 bytes. A shorter
// write yields a short report; it is returned as is (1..64 bytes) and the CTAPHID layer pads it
// with zeros (CTAP 2.1 §11.2.4 packets are fixed-size; unused bytes are zero).
// The span points into `output`, so a temporary is refused at compile time.
tl::expected<ByteSpan, OutputProblem> output_report(const Output& output);
tl::expected<ByteSpan, OutputProblem> output_report(const Output&& output) = delete;

// ---- vfido → kernel -------------------------------------------------------------------------

UhidResult<Bytes> encode_create2(const DeviceInfo& info);
UhidResult<Bytes> encode_input2(ByteSpan report);  // one input report, no report ID for FIDO
Bytes encode_destroy();
// Answers to GET_REPORT / SET_REPORT: `err` is an errno value (0 = success). vfido has no
// feature reports and answers EIO, so a host's request fails at once instead of after the
// kernel's 5-second timeout.
Bytes encode_get_report_reply(std::uint32_t id, std::uint16_t err, ByteSpan data = {});
Bytes encode_set_report_reply(std::uint32_t id, std::uint16_t err);

// Decoders for the events vfido writes, so tests (and fakes playing the kernel) can read them.
struct Create2 {
  DeviceInfo info;
};
struct Input2 {
  Bytes data;
};
struct Destroy {};
struct GetReportReply {
  std::uint32_t id = 0;
  std::uint16_t err = 0;
  Bytes data;
};
struct SetReportReply {
  std::uint32_t id = 0;
  std::uint16_t err = 0;
};
using Request = std::variant<Create2, Input2, Destroy, GetReportReply, SetReportReply, OtherEvent>;
UhidResult<Request> decode_request(ByteSpan bytes);

// Encoders for the events the kernel writes, for fakes playing the kernel in tests.
Bytes encode_event(const Event& event);

// sizeof(struct uhid_event): the size of one read buffer.
std::size_t event_size();

}  // namespace vfido::transport::uhid
