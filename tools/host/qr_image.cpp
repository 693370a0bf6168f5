#include "tools/host/qr_image.h"

#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace vfido::host {
namespace {

constexpr std::size_t kTerminalQuiet = 2;
constexpr std::size_t kImageQuiet = 4;  // ISO/IEC 18004 §9.1: the quiet zone is 4 modules wide

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

struct FileClose {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::optional<QrMatrix> encode_qr(const std::string& text) {
  std::unique_ptr<QRcode, QrFree> q(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!q || q->width <= 0) return std::nullopt;
  QrMatrix m;
  m.size = static_cast<std::size_t>(q->width);
  m.dark.resize(m.size * m.size);
  // libqrencode: bit 0 of each byte is the module's colour (1 = dark).
  for (std::size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (q->data[i] & 1) != 0;
  return m;
}

std::string qr_to_terminal(const QrMatrix& m, bool ansi) {
  // Each character cell shows two module rows: upper half block, lower half block, full, space.
  const std::size_t total = m.size + 2 * kTerminalQuiet;
  auto dark = [&](std::size_t x, std::size_t y) {
    return x >= kTerminalQuiet && y >= kTerminalQuiet && m.at(x - kTerminalQuiet, y - kTerminalQuiet);
  };
  std::string out;
  for (std::size_t y = 0; y < total; y += 2) {
    if (ansi) out += "\x1b[30;107m";  // black on bright white
    for (std::size_t x = 0; x < total; ++x) {
      const bool top = dark(x, y);
      const bool bottom = y + 1 < total && dark(x, y + 1);
      if (top && bottom) {
        out += "\u2588";
      } else if (top) {
        out += "\u2580";
      } else if (bottom) {
        out += "\u2584";
      } else {
        out += " ";
      }
    }
    if (ansi) out += "\x1b[0m";
    out += "\n";
  }
  return out;
}

std::string qr_to_svg(const QrMatrix& m, unsigned module_px) {
  const std::size_t total = (m.size + 2 * kImageQuiet) * module_px;
  std::string path;
  for (std::size_t y = 0; y < m.size; ++y) {
    for (std::size_t x = 0; x < m.size; ++x) {
      if (!m.at(x, y)) continue;
      path += "M" + std::to_string((x + kImageQuiet) * module_px) + " " + std::to_string((y + kImageQuiet) * module_px) +
              "h" + std::to_string(module_px) + "v" + std::to_string(module_px) + "h-" + std::to_string(module_px) + "z";
    }
  }
  const std::string t = std::to_string(total);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + t + "\" height=\"" + t + "\" viewBox=\"0 0 " + t + " " + t +
         "\" shape-rendering=\"crispEdges\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"" +
         path + "\"/>\n</svg>\n";
}

bool write_qr_png(const QrMatrix& m, const std::string& path, unsigned module_px, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error != nullptr) *error = why;
    return false;
  };
  std::unique_ptr<std::FILE, FileClose> f(std::fopen(path.c_str(), "wb"));
  if (!f) return fail(std::strerror(errno));
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return fail("libpng: out of memory");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return fail("libpng: out of memory");
  }
  const std::size_t total = (m.size + 2 * kImageQuiet) * module_px;
  std::vector<png_byte> row(total);
  // libpng reports errors by longjmp; nothing with a destructor is created after this point.
  if (setjmp(png_jmpbuf(png)) != 0) {
    png_destroy_write_struct(&png, &info);
    return fail("libpng: write error");
  }
  png_init_io(png, f.get());
  png_set_IHDR(png, info, static_cast<png_uint_32>(total), static_cast<png_uint_32>(total), 8, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (std::size_t py = 0; py < total; ++py) {
    const std::size_t y = py / module_px;
    for (std::size_t px = 0; px < total; ++px) {
      const std::size_t x = px / module_px;
      const bool dark = x >= kImageQuiet && y >= kImageQuiet && m.at(x - kImageQuiet, y - kImageQuiet);
      row[px] = dark ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace vfido::host
