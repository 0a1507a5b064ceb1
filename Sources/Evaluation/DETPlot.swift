import Foundation

/// A detection error trade-off plot as SVG: FNIR against FPIR, FPIR on a log scale as in NIST FRVT reports.
public enum DETPlot {
    public static func svg(
        points: [(threshold: Float, fpir: Double, fnir: Double)], marked: [(label: String, fpir: Double, fnir: Double)]
    ) -> String {
        let width = 640.0, height = 440.0, left = 70.0, right = 20.0, top = 30.0, bottom = 50.0
        let minExp = -4.0, maxExp = 0.0
        func x(_ fpir: Double) -> Double {
            let e = log10(max(fpir, pow(10, minExp)))
            return left + (e - minExp) / (maxExp - minExp) * (width - left - right)
        }
        func y(_ fnir: Double) -> Double { top + (1 - fnir) * (height - top - bottom) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="18" text-anchor="middle">DET: FNIR vs FPIR (lfw_dev protocol)</text>

            """
        for e in stride(from: minExp, through: maxExp, by: 1) {
            let px = x(pow(10, e))
            svg += "<line x1=\"\(px)\" y1=\"\(top)\" x2=\"\(px)\" y2=\"\(height - bottom)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(px)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">1e\(Int(e))</text>\n"
        }
        for f in stride(from: 0.0, through: 1.0, by: 0.2) {
            let py = y(f)
            svg += "<line x1=\"\(left)\" y1=\"\(py)\" x2=\"\(width - right)\" y2=\"\(py)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(py + 4)\" text-anchor=\"end\">\(String(format: "%.1f", f))</text>\n"
        }
        svg +=
            "<text x=\"\(width / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">FPIR (false positive identification rate)</text>\n"
        svg +=
            "<text transform=\"translate(18 \(height / 2)) rotate(-90)\" text-anchor=\"middle\">FNIR (1 - TPIR)</text>\n"
        let path = points.filter { $0.fpir > 0 }.map { String(format: "%.1f,%.1f", x($0.fpir), y($0.fnir)) }.joined(
            separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"\(path)\"/>\n"
        for m in marked {
            svg += "<circle cx=\"\(x(m.fpir))\" cy=\"\(y(m.fnir))\" r=\"4\" fill=\"#c0392b\"/>"
            svg += "<text x=\"\(x(m.fpir) + 8)\" y=\"\(y(m.fnir) - 6)\">\(escape(m.label))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }
}
