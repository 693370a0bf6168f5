// Showing a QR code (ISO/IEC 18004) for the hybrid desktop side: libqrencode makes the module
// matrix; this file draws it in a terminal (two rows per line with half blocks), as PNG (libpng)
// and as SVG.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace vfido::host {

struct QrMatrix {
  std::size_t size = 0;      // modules per side
  std::vector<bool> dark;    // row-major, size * size
  bool at(std::size_t x, std::size_t y) const { return x < size && y < size && dark[y * size + x]; }
};

// Error correction level M; libqrencode picks the smallest version and splits the text into
// numeric, alphanumeric and byte segments (a FIDO:/ URL is mostly digits). nullopt when the
// text does not fit a QR code.
std::optional<QrMatrix> encode_qr(const std::string& text);

// Lines of UTF-8 half blocks with a 2-module quiet zone, drawn black on white with ANSI colours
// (`ansi`) so that it scans on dark terminals too, or plain (dark modules as blocks).
std::string qr_to_terminal(const QrMatrix& m, bool ansi = true);
// An SVG document, `module_px` user units per module and a 4-module quiet zone.
std::string qr_to_svg(const QrMatrix& m, unsigned module_px = 8);
// Writes an 8-bit greyscale PNG; false (with errno-style text in *error) when it cannot.
bool write_qr_png(const QrMatrix& m, const std::string& path, unsigned module_px = 8, std::string* error = nullptr);

}  // namespace vfido::host
