import Foundation

/// A line chart of a sweep as SVG: the metric against the fraction of heads removed, one line per importance
/// measure, for the README.
public struct SweepChart {
    public var points: [SweepPoint]
    /// The y axis label (`accuracy`).
    public var metricName: String
    public var title: String

    public init(points: [SweepPoint], metricName: String, title: String) {
        self.points = points
        self.metricName = metricName
        self.title = title
    }

    private static let (width, height) = (640.0, 400.0)
    private static let (left, right, top, bottom) = (70.0, 150.0, 40.0, 55.0)
    private static let colours = ["#1f77b4", "#d62728", "#7f7f7f", "#2ca02c", "#9467bd", "#ff7f0e"]

    /// The SVG document.
    public var svg: String {
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        let values = points.map(\.metric).filter(\.isFinite)
        // The y range: the data's, widened to whole tenths.
        let low = ((values.min() ?? 0) * 10).rounded(.down) / 10, high = max(((values.max() ?? 1) * 10).rounded(.up) / 10, low + 0.1)
        func x(_ fraction: Double) -> Double { Self.left + fraction * plotWidth }
        func y(_ value: Double) -> Double { Self.top + (high - value) / (high - low) * plotHeight }
        func number(_ value: Double) -> String { String(format: "%.1f", value) }

        var parts = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" "
                + "font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(number(Self.width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(Self.escaped(title))</text>",
        ]
        for tick in stride(from: 0.0, through: 1.0001, by: 0.2) {
            parts.append("<line x1=\"\(number(x(tick)))\" y1=\"\(number(Self.top))\" x2=\"\(number(x(tick)))\" "
                + "y2=\"\(number(Self.top + plotHeight))\" stroke=\"#e5e5e5\"/>")
            parts.append("<text x=\"\(number(x(tick)))\" y=\"\(number(Self.top + plotHeight + 18))\" text-anchor=\"middle\">"
                + String(format: "%.0f%%", tick * 100) + "</text>")
        }
        let steps = Int(((high - low) * 10).rounded())
        for index in 0...steps {
            let value = low + Double(index) / 10
            parts.append("<line x1=\"\(number(Self.left))\" y1=\"\(number(y(value)))\" x2=\"\(number(Self.left + plotWidth))\" "
                + "y2=\"\(number(y(value)))\" stroke=\"#e5e5e5\"/>")
            parts.append("<text x=\"\(number(Self.left - 8))\" y=\"\(number(y(value) + 4))\" text-anchor=\"end\">"
                + String(format: "%.1f", value) + "</text>")
        }
        parts.append("<rect x=\"\(number(Self.left))\" y=\"\(number(Self.top))\" width=\"\(number(plotWidth))\" "
            + "height=\"\(number(plotHeight))\" fill=\"none\" stroke=\"black\"/>")
        parts.append("<text x=\"\(number(Self.left + plotWidth / 2))\" y=\"\(number(Self.height - 12))\" text-anchor=\"middle\">"
            + "fraction of attention heads removed</text>")
        parts.append("<text transform=\"translate(18 \(number(Self.top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">"
            + "\(Self.escaped(metricName))</text>")
        var measures: [String] = []
        for point in points where !measures.contains(point.importance) { measures.append(point.importance) }
        for (index, measure) in measures.enumerated() {
            let colour = Self.colours[index % Self.colours.count]
            let line = points.filter { $0.importance == measure && $0.metric.isFinite }.sorted { $0.headsRemoved < $1.headsRemoved }
            let coordinates = line.map { "\(number(x($0.headsRemoved))),\(number(y($0.metric)))" }
            parts.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>")
            parts += coordinates.map { point in
                let xy = point.split(separator: ",")
                return "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(colour)\"/>"
            }
            let legendY = Self.top + 10 + Double(index) * 20
            parts.append("<line x1=\"\(number(Self.width - Self.right + 15))\" y1=\"\(number(legendY))\" "
                + "x2=\"\(number(Self.width - Self.right + 40))\" y2=\"\(number(legendY))\" stroke=\"\(colour)\" stroke-width=\"2\"/>")
            parts.append("<text x=\"\(number(Self.width - Self.right + 46))\" y=\"\(number(legendY + 4))\">\(Self.escaped(measure))</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    /// `text` with the characters XML reserves escaped.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
