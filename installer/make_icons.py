"""Draw the app icon (resources/icons/union-clerk.png and .ico) from the bundled font.

Run once when the icon changes; the results are committed:
    .venv/bin/python installer/make_icons.py
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
OUT = ROOT / "resources" / "icons"
RED = (192, 57, 43, 255)
GOLD = (255, 214, 102, 255)


def draw(size: int = 512) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    margin = size // 16
    pen.rounded_rectangle((margin, margin, size - margin, size - margin), radius=size // 6, fill=RED)
    font = ImageFont.truetype(str(FONT), int(size * 0.62))
    pen.text((size / 2, size * 0.47), "工", font=font, fill=(255, 255, 255, 255), anchor="mm")
    bar = size // 10
    pen.rounded_rectangle((size * 0.25, size - margin - bar * 1.6, size * 0.75, size - margin - bar * 0.9),
                          radius=bar // 3, fill=GOLD)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    big.resize((256, 256), Image.LANCZOS).save(OUT / "union-clerk.png")
    big.save(OUT / "union-clerk.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(f"wrote {OUT / 'union-clerk.png'} and {OUT / 'union-clerk.ico'}")


if __name__ == "__main__":
    main()
