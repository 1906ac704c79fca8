// Every <text> of every chart against its <svg>'s box; the fills and strokes of the marks and
// the text against the panel behind them (WCAG contrast ratio); the text's computed size.
// Read by tests/browser/test_layout.py.
() => {
  const rgb = (c) => (c.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const problems = [];
  const charts = [...document.querySelectorAll("svg.chart")];
  charts.forEach((svg, n) => {
    const box = svg.getBoundingClientRect();
    const background = getComputedStyle(svg.closest(".panel")).backgroundColor;
    svg.querySelectorAll("text").forEach((text) => {
      const r = text.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
        problems.push(`chart ${n}: "${text.textContent}" at ${r.left.toFixed(1)}-${r.right.toFixed(1)} outside ${box.left.toFixed(1)}-${box.right.toFixed(1)}`);
      }
      const size = parseFloat(getComputedStyle(text).fontSize);
      if (size < 12) { problems.push(`chart ${n}: "${text.textContent}" at ${size}px`); }
    });
    svg.querySelectorAll("text, rect, circle").forEach((mark) => {
      const ratio = contrast(getComputedStyle(mark).fill, background);
      if (ratio < 4.5) { problems.push(`chart ${n}: ${mark.tagName} fill ${ratio.toFixed(2)}:1`); }
    });
    svg.querySelectorAll("polyline, line").forEach((mark) => {
      const ratio = contrast(getComputedStyle(mark).stroke, background);
      if (ratio < 4.5) { problems.push(`chart ${n}: ${mark.tagName} stroke ${ratio.toFixed(2)}:1`); }
    });
  });
  return {charts: charts.length, texts: document.querySelectorAll("svg.chart text").length, problems};
}
