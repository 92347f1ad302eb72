#!/usr/bin/env python3
"""Compare two PNG screenshots: tests/report/pngdiff.py A.png B.png.

Prints "WxH differing=N fraction=F" where a pixel differs when any channel differs
by more than 48 (of 255); exit 0, or 2 when the sizes differ or a file is not a
8-bit RGB/RGBA PNG. A small PNG decoder (zlib and the five row filters), stdlib only.
"""
import struct, sys, zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("%s: not a PNG" % path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or color not in (2, 6) or interlace:
                raise ValueError("%s: only 8-bit RGB/RGBA, not interlaced" % path)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    wa, ha, ba, ra = decode(sys.argv[1])
    wb, hb, bb, rb = decode(sys.argv[2])
    if (wa, ha) != (wb, hb):
        print("sizes differ: %dx%d and %dx%d" % (wa, ha, wb, hb))
        return 2
    diff = 0
    for y in range(ha):
        x_, y_ = ra[y], rb[y]
        if x_ == y_:
            continue
        for x in range(wa):
            pa = x_[x * ba:x * ba + 3]
            pb = y_[x * bb:x * bb + 3]
            if any(abs(pa[k] - pb[k]) > 48 for k in range(3)):
                diff += 1
    print("%dx%d differing=%d fraction=%.5f" % (wa, ha, diff, diff / float(wa * ha)))
    return 0


sys.exit(main())
