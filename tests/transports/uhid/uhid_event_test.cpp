// The uhid event layout, checked against offsets written out by hand from linux/uhid.h (not
// through the header the code uses): type at 0, then the packed request struct. Native endian;
// these tests assume a little-endian host (x86-64, arm64), which the static_assert states.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <variant>

#include "authenticator/bytes.h"
#include "transports/uhid/uhid_event.h"

namespace {

using namespace vfido::transport::uhid;
using vfido::Bytes;
using vfido::ByteSpan;

static_assert(std::endian::native == std::endian::little, "expected offsets below are little-endian");

// Event type numbers (enum uhid_event_type).
constexpr std::uint32_t kDestroy = 1, kStart = 2, kStop = 3, kOpen = 4, kClose = 5, kOutput = 6, kOutputEv = 7,
                        kGetReport = 9, kGetReportReply = 10, kCreate2 = 11, kInput2 = 12, kSetReport = 13,
                        kSetReportReply = 14;

std::uint32_t u32_at(const Bytes& b, std::size_t off) {
  return std::uint32_t{b.at(off)} | std::uint32_t{b.at(off + 1)} << 8 | std::uint32_t{b.at(off + 2)} << 16 |
         std::uint32_t{b.at(off + 3)} << 24;
}
std::uint16_t u16_at(const Bytes& b, std::size_t off) {
  return static_cast<std::uint16_t>(b.at(off) | b.at(off + 1) << 8);
}
void put_u32(Bytes& b, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.at(off + static_cast<std::size_t>(i)) = static_cast<std::uint8_t>(v >> (8 * i));
}
void put_u16(Bytes& b, std::size_t off, std::uint16_t v) {
  b.at(off) = static_cast<std::uint8_t>(v);
  b.at(off + 1) = static_cast<std::uint8_t>(v >> 8);
}
std::string str_at(const Bytes& b, std::size_t off, std::size_t cap) {
  std::string s;
  for (std::size_t i = off; i < off + cap && b.at(i) != 0; ++i) s += static_cast<char>(b[i]);
  return s;
}

DeviceInfo sample_info() {
  DeviceInfo info;
  info.name = "vfido test key";
  info.phys = "vfido/test";
  info.uniq = "SERIAL-42";
  info.vendor = 0x1209;
  info.product = 0xBEEF;
  info.version = 0x0102;
  info.country = 7;
  return info;
}

// A whole UHID_OUTPUT event as the kernel queues it: data[4096] at 4, size at 4100, rtype at 4102.
Bytes kernel_output(const Bytes& data, std::uint8_t rtype = 1) {
  Bytes ev(event_size(), 0);
  put_u32(ev, 0, kOutput);
  for (std::size_t i = 0; i < data.size(); ++i) ev.at(4 + i) = data[i];
  put_u16(ev, 4100, static_cast<std::uint16_t>(data.size()));
  ev.at(4102) = rtype;
  return ev;
}

// The problem output_report() finds in `out` (the span is not needed).
OutputProblem problem(const Output& out) {
  auto r = output_report(out);
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("uhid event: struct uhid_event is 4380 bytes (type + the union, rounded to 8)") {
  // The largest member is the CREATE2 request: name 128 + phys 64 + uniq 64 + rd_size 2 + bus 2
  // + 4 x u32 + rd_data 4096 = 4372. The union is not packed and holds a __u64 (START), so its
  // size rounds up to 4376; the packed outer struct adds the 4-byte type.
  CHECK(event_size() == 4 + 4376);
}

TEST_CASE("uhid event: the FIDO report descriptor declares usage page F1D0, 64-byte in and out, no report IDs") {
  const auto& d = kFidoReportDescriptor;
  CHECK(d[0] == 0x06);  // Usage Page, 2 bytes
  CHECK(d[1] == 0xD0);
  CHECK(d[2] == 0xF1);
  CHECK(d[3] == 0x09);  // Usage CTAPHID
  CHECK(d[4] == 0x01);
  int report_counts_64 = 0, inputs = 0, outputs = 0;
  for (std::size_t i = 0; i + 1 < d.size(); ++i) {
    CHECK(d[i] != 0x85);  // a Report ID item would number the reports
    if (d[i] == 0x95 && d[i + 1] == 0x40) ++report_counts_64;
    if (d[i] == 0x81) ++inputs;
    if (d[i] == 0x91) ++outputs;
  }
  CHECK(report_counts_64 == 2);
  CHECK(inputs == 1);
  CHECK(outputs == 1);
  CHECK(d.back() == 0xC0);
}

TEST_CASE("uhid event: CREATE2 puts every field at its kernel offset") {
  auto bytes = encode_create2(sample_info());
  REQUIRE(bytes);
  const Bytes& b = *bytes;
  REQUIRE(b.size() == 280 + kFidoReportDescriptor.size());  // the tail of rd_data is left to the kernel
  CHECK(u32_at(b, 0) == kCreate2);
  CHECK(str_at(b, 4, 128) == "vfido test key");
  CHECK(str_at(b, 132, 64) == "vfido/test");
  CHECK(str_at(b, 196, 64) == "SERIAL-42");
  CHECK(u16_at(b, 260) == kFidoReportDescriptor.size());
  CHECK(u16_at(b, 262) == 0x03);  // BUS_USB
  CHECK(u32_at(b, 264) == 0x1209);
  CHECK(u32_at(b, 268) == 0xBEEF);
  CHECK(u32_at(b, 272) == 0x0102);
  CHECK(u32_at(b, 276) == 7);
  CHECK(Bytes(b.begin() + 280, b.end()) == Bytes(kFidoReportDescriptor.begin(), kFidoReportDescriptor.end()));
}

TEST_CASE("uhid event: CREATE2 rejects strings that do not fit and empty or oversized descriptors") {
  DeviceInfo info = sample_info();
  SUBCASE("name of 127 bytes fits, 128 does not") {
    info.name = std::string(127, 'n');
    CHECK(encode_create2(info));
    info.name += 'n';
    CHECK(encode_create2(info).error() == UhidError::kFieldTooLong);
  }
  SUBCASE("serial of 64 bytes") {
    info.uniq = std::string(64, 's');
    CHECK(encode_create2(info).error() == UhidError::kFieldTooLong);
  }
  SUBCASE("phys of 64 bytes") {
    info.phys = std::string(64, 'p');
    CHECK(encode_create2(info).error() == UhidError::kFieldTooLong);
  }
  SUBCASE("embedded NUL") {
    info.name = std::string("ab\0cd", 5);
    CHECK(encode_create2(info).error() == UhidError::kFieldTooLong);
  }
  SUBCASE("no descriptor") {
    info.report_descriptor.clear();
    CHECK(encode_create2(info).error() == UhidError::kEmptyDescriptor);
  }
  SUBCASE("descriptor over 4096 bytes") {
    info.report_descriptor.assign(4097, 0x01);
    CHECK(encode_create2(info).error() == UhidError::kFieldTooLong);
  }
}

TEST_CASE("uhid event: INPUT2 is type, u16 size, data; DESTROY is the type alone") {
  Bytes report(64);
  for (std::size_t i = 0; i < report.size(); ++i) report[i] = static_cast<std::uint8_t>(i * 3 + 1);
  auto in = encode_input2(report);
  REQUIRE(in);
  REQUIRE(in->size() == 6 + 64);
  CHECK(u32_at(*in, 0) == kInput2);
  CHECK(u16_at(*in, 4) == 64);
  CHECK(Bytes(in->begin() + 6, in->end()) == report);
  CHECK(encode_input2(Bytes(4097)).error() == UhidError::kReportTooLong);

  Bytes destroy = encode_destroy();
  REQUIRE(destroy.size() == 4);
  CHECK(u32_at(destroy, 0) == kDestroy);
}

TEST_CASE("uhid event: replies to GET_REPORT and SET_REPORT carry the request id and errno") {
  Bytes get = encode_get_report_reply(0xA1B2C3D4, 5);
  REQUIRE(get.size() == 12);  // id 4, err 2, size 2, no data
  CHECK(u32_at(get, 0) == kGetReportReply);
  CHECK(u32_at(get, 4) == 0xA1B2C3D4);
  CHECK(u16_at(get, 8) == 5);
  CHECK(u16_at(get, 10) == 0);

  Bytes with_data = encode_get_report_reply(9, 0, Bytes{1, 2, 3});
  REQUIRE(with_data.size() == 15);
  CHECK(u16_at(with_data, 10) == 3);
  CHECK(with_data[14] == 3);

  Bytes set = encode_set_report_reply(77, 5);
  REQUIRE(set.size() == 10);
  CHECK(u32_at(set, 0) == kSetReportReply);
  CHECK(u32_at(set, 4) == 77);
  CHECK(u16_at(set, 8) == 5);
}

TEST_CASE("uhid event: decodes what the kernel sends") {
  SUBCASE("START with its flags") {
    Bytes b(12, 0);
    put_u32(b, 0, kStart);
    b[4] = 0x05;
    auto e = decode_event(b);
    REQUIRE(e);
    REQUIRE(std::holds_alternative<Start>(*e));
    CHECK(std::get<Start>(*e).dev_flags == 5);
  }
  SUBCASE("STOP, OPEN, CLOSE are the type alone") {
    Bytes b(4, 0);
    put_u32(b, 0, kStop);
    CHECK(std::holds_alternative<Stop>(*decode_event(b)));
    put_u32(b, 0, kOpen);
    CHECK(std::holds_alternative<Open>(*decode_event(b)));
    put_u32(b, 0, kClose);
    CHECK(std::holds_alternative<Close>(*decode_event(b)));
  }
  SUBCASE("OUTPUT: data, size and rtype after the 4096-byte array") {
    Bytes data{0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x86, 0x00, 0x08};
    auto e = decode_event(kernel_output(data));
    REQUIRE(e);
    REQUIRE(std::holds_alternative<Output>(*e));
    CHECK(std::get<Output>(*e).data == data);
    CHECK(std::get<Output>(*e).rtype == 1);
  }
  SUBCASE("OUTPUT cut before rtype is too short") {
    Bytes ev = kernel_output(Bytes(65, 0));
    ev.resize(4102);
    CHECK(decode_event(ev).error() == UhidError::kTooShort);
  }
  SUBCASE("OUTPUT claiming more than 4096 bytes is clamped") {
    Bytes ev = kernel_output(Bytes(10, 1));
    put_u16(ev, 4100, 0xFFFF);
    auto e = decode_event(ev);
    REQUIRE(e);
    CHECK(std::get<Output>(*e).data.size() == 4096);
  }
  SUBCASE("GET_REPORT: id, rnum, rtype") {
    Bytes b(10, 0);
    put_u32(b, 0, kGetReport);
    put_u32(b, 4, 1234);
    b[8] = 3;
    b[9] = 0;
    auto e = decode_event(b);
    REQUIRE(e);
    const auto& g = std::get<GetReport>(*e);
    CHECK(g.id == 1234);
    CHECK(g.rnum == 3);
    CHECK(g.rtype == 0);
    b.resize(9);
    CHECK(decode_event(b).error() == UhidError::kTooShort);
  }
  SUBCASE("SET_REPORT: id, rnum, rtype, size, data") {
    Bytes b(12 + 2, 0);
    put_u32(b, 0, kSetReport);
    put_u32(b, 4, 99);
    b[8] = 1;
    b[9] = 0;
    put_u16(b, 10, 2);
    b[12] = 0xAA;
    b[13] = 0xBB;
    auto e = decode_event(b);
    REQUIRE(e);
    const auto& s = std::get<SetReport>(*e);
    CHECK(s.id == 99);
    CHECK(s.data == Bytes{0xAA, 0xBB});
    put_u16(b, 10, 3);  // claims a byte that is not there
    CHECK(decode_event(b).error() == UhidError::kTooShort);
  }
  SUBCASE("obsolete and unknown types are reported as such") {
    Bytes b(4, 0);
    put_u32(b, 0, kOutputEv);
    CHECK(std::get<OtherEvent>(*decode_event(b)).type == kOutputEv);
    put_u32(b, 0, 0xDEAD);
    CHECK(std::get<OtherEvent>(*decode_event(b)).type == 0xDEAD);
  }
  SUBCASE("fewer than 4 bytes") {
    CHECK(decode_event(Bytes{2, 0, 0}).error() == UhidError::kTooShort);
    CHECK(decode_event(Bytes{}).error() == UhidError::kTooShort);
  }
}

TEST_CASE("uhid event: the report inside an OUTPUT (report number first)") {
  Bytes report(64);
  for (std::size_t i = 0; i < report.size(); ++i) report[i] = static_cast<std::uint8_t>(0x40 + i);
  Bytes with_id(65, 0x00);
  std::copy(report.begin(), report.end(), with_id.begin() + 1);

  SUBCASE("65 bytes, report number 0: the 64-byte report") {
    const Output out{with_id, 1};
    auto r = output_report(out);
    REQUIRE(r);
    CHECK(Bytes(r->begin(), r->end()) == report);
  }
  SUBCASE("a short write: the short report, left for the CTAPHID layer to pad") {
    const Output out{Bytes(with_id.begin(), with_id.begin() + 20), 1};
    auto r = output_report(out);
    REQUIRE(r);
    CHECK(r->size() == 19);
    CHECK((*r)[0] == 0x40);
  }
  SUBCASE("report number alone") { CHECK(problem(Output{Bytes{0x00}, 1}) == OutputProblem::kEmpty); }
  SUBCASE("nothing") { CHECK(problem(Output{Bytes{}, 1}) == OutputProblem::kEmpty); }
  SUBCASE("a numbered report") {
    with_id[0] = 0x02;
    CHECK(problem(Output{with_id, 1}) == OutputProblem::kNumberedReport);
  }
  SUBCASE("more than one report") {
    with_id.push_back(0x99);
    CHECK(problem(Output{with_id, 1}) == OutputProblem::kTooLong);
  }
  SUBCASE("a feature report") {
    CHECK(problem(Output{with_id, 0}) == OutputProblem::kNotOutputReport);
  }
}

TEST_CASE("uhid event: every event survives encode then decode (fakes of the kernel rely on it)") {
  const Event events[] = {Start{6}, Stop{}, Open{}, Close{}, Output{Bytes{0, 1, 2, 3}, 1}, GetReport{7, 1, 0},
                          SetReport{8, 2, 0, Bytes{9, 9}}, OtherEvent{0x77}};
  for (const Event& e : events) {
    CAPTURE(e.index());
    auto back = decode_event(encode_event(e));
    REQUIRE(back);
    CHECK(back->index() == e.index());
  }
  auto out = decode_event(encode_event(Output{Bytes{0, 5, 6}, 1}));
  CHECK(std::get<Output>(*out).data == Bytes{0, 5, 6});
  auto set = decode_event(encode_event(SetReport{8, 2, 0, Bytes{9, 8}}));
  CHECK(std::get<SetReport>(*set).data == Bytes{9, 8});
  CHECK(std::get<SetReport>(*set).id == 8);
}

TEST_CASE("uhid event: what vfido writes decodes back (CREATE2, INPUT2, DESTROY, replies)") {
  auto create = decode_request(*encode_create2(sample_info()));
  REQUIRE(create);
  const auto& info = std::get<Create2>(*create).info;
  CHECK(info.name == "vfido test key");
  CHECK(info.uniq == "SERIAL-42");
  CHECK(info.product == 0xBEEF);
  CHECK(info.report_descriptor == Bytes(kFidoReportDescriptor.begin(), kFidoReportDescriptor.end()));

  auto input = decode_request(*encode_input2(Bytes{1, 2, 3}));
  REQUIRE(input);
  CHECK(std::get<Input2>(*input).data == Bytes{1, 2, 3});
  CHECK(std::holds_alternative<Destroy>(*decode_request(encode_destroy())));
  CHECK(std::get<GetReportReply>(*decode_request(encode_get_report_reply(4, 5))).err == 5);
  CHECK(std::get<SetReportReply>(*decode_request(encode_set_report_reply(4, 5))).id == 4);

  Bytes truncated = *encode_input2(Bytes(64, 1));
  truncated.pop_back();
  CHECK(decode_request(truncated).error() == UhidError::kTooShort);
}
