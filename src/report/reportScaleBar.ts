/**
 * The scale bar of the report's image: a round length (1, 2 or 5 × 10ⁿ nm) near a fifth of the
 * image's width, labelled in nm below 1 µm and in µm from 1 µm.
 * @param widthNm - the image's width, nm
 */
export function reportScaleBar(widthNm: number): { lengthNm: number; label: string } {
  const target = widthNm / 5;
  const decade = 10 ** Math.floor(Math.log10(target));
  const lengthNm = [5, 2, 1].map((m) => m * decade).find((l) => l <= target) ?? decade;
  const label = lengthNm >= 1000 ? `${lengthNm / 1000} µm` : `${lengthNm} nm`;
  return { lengthNm, label };
}
