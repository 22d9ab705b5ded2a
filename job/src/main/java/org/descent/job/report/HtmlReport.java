package org.descent.job.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Renders {@code report.html}: one self-contained page (inline CSS and SVG; no scripts, fonts or
 * network) with
 * <ul>
 *   <li>a loss chart: train loss and validation loss per epoch;</li>
 *   <li>one chart per validation metric (accuracy, AUC, RMSE, R², ... whatever the records hold);</li>
 *   <li>a table of every epoch's figures.</li>
 * </ul>
 * Every plotted point is an SVG {@code <circle class="pt" data-series="..." data-epoch="n">} (NaN
 * values are left out, breaking the line), so tools and tests can read the curves back.
 * Linear axes from {@link #ticks} ("nice" 1-2-5 steps covering the data range).
 */
public final class HtmlReport {
    static final int W = 520;
    static final int H = 300;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 36;
    private static final int BOTTOM = 44;
    private static final String[] COLOURS = {"#1f6fb4", "#e0702a", "#2a9d55", "#b03a8c"};

    private HtmlReport() {}

    /** A named curve over the epochs. */
    record Series(String id, String label, double[] y) {}

    public static String render(String title, String subtitle, List<EpochRecord> records) {
        StringBuilder b = new StringBuilder(16_384);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px;color:#222;background:#fff}\n")
                .append("h1{font-size:22px;margin:0 0 4px}.sub{color:#666;margin:0 0 18px;font-size:13px}\n")
                .append(".charts{display:flex;flex-wrap:wrap;gap:18px}.card{border:1px solid #ddd;border-radius:6px;padding:8px}\n")
                .append("svg text{font-size:11px;fill:#444}svg .title{font-size:13px;font-weight:600;fill:#222}\n")
                .append("table{border-collapse:collapse;margin-top:20px;font-size:12px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}\n")
                .append("th{background:#f4f4f4}\n</style></head><body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p class=\"sub\">").append(esc(subtitle)).append("</p>\n");
        if (records.isEmpty()) {
            b.append("<p>No epoch has finished yet.</p>\n</body></html>\n");
            return b.toString();
        }
        b.append("<div class=\"charts\">\n");
        double[] epochs = column(records, r -> r.epoch());
        List<Series> loss = new ArrayList<>();
        loss.add(new Series("train-loss", "train loss", column(records, EpochRecord::trainLoss)));
        if (records.stream().anyMatch(r -> r.validation().containsKey("loss"))) {
            loss.add(new Series("validation-loss", "validation loss",
                    column(records, r -> r.validation().getOrDefault("loss", Double.NaN))));
        }
        chart(b, "Loss", epochs, loss);
        for (Map.Entry<String, String> m : metricNames(records).entrySet()) {
            String key = m.getKey();
            chart(b, "Validation " + m.getValue(), epochs, List.of(new Series("validation-" + key,
                    "validation " + m.getValue(), column(records, r -> r.validation().getOrDefault(key, Double.NaN)))));
        }
        b.append("</div>\n");
        table(b, records);
        b.append("</body></html>\n");
        return b.toString();
    }

    /** Validation metrics other than loss, in a fixed order, with display names. */
    private static Map<String, String> metricNames(List<EpochRecord> records) {
        Map<String, String> display = new LinkedHashMap<>();
        display.put("accuracy", "accuracy");
        display.put("auc", "AUC");
        display.put("rmse", "RMSE");
        display.put("r2", "R²");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : display.entrySet()) {
            if (records.stream().anyMatch(r -> r.validation().containsKey(e.getKey()))) out.put(e.getKey(), e.getValue());
        }
        for (EpochRecord r : records) {
            for (String k : r.validation().keySet()) {
                if (!k.equals("loss") && !out.containsKey(k)) out.put(k, k);
            }
        }
        return out;
    }

    private static void chart(StringBuilder b, String title, double[] x, List<Series> series) {
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : s.y()) {
                if (Double.isFinite(v)) {
                    yMin = Math.min(yMin, v);
                    yMax = Math.max(yMax, v);
                }
            }
        }
        if (yMin > yMax) { yMin = 0; yMax = 1; }
        double[] yt = ticks(yMin, yMax, 5);
        double y0 = yt[0];
        double y1 = yt[yt.length - 1];
        double x0 = x[0];
        double x1 = Math.max(x[x.length - 1], x0 + 1);
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        b.append("<div class=\"card\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W)
                .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">\n");
        b.append("<text class=\"title\" x=\"").append(LEFT).append("\" y=\"20\">").append(esc(title)).append("</text>\n");
        // grid and y ticks
        for (double t : yt) {
            double py = TOP + ph - (t - y0) / (y1 - y0) * ph;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    LEFT, py, LEFT + pw, py, LEFT - 6, py + 4, fmtTick(t, yt)));
        }
        // x ticks: epochs, thinned to about 10 labels
        int every = Math.max(1, (int) Math.ceil(x.length / 10.0));
        for (int i = 0; i < x.length; i += every) {
            double px = LEFT + (x[i] - x0) / (x1 - x0) * pw;
            b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                    px, TOP + ph, px, TOP + ph + 4, px, TOP + ph + 17, (long) x[i]));
        }
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
                LEFT, TOP, pw, ph));
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>\n",
                LEFT + pw / 2, H - 8));
        // series
        for (int s = 0; s < series.size(); s++) {
            Series se = series.get(s);
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder path = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < x.length; i++) {
                double v = se.y()[i];
                if (!Double.isFinite(v)) { pen = false; continue; }
                double px = LEFT + (x[i] - x0) / (x1 - x0) * pw;
                double py = TOP + ph - (v - y0) / (y1 - y0) * ph;
                path.append(pen ? " L" : (path.length() == 0 ? "M" : " M")).append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
                pen = true;
                dots.append(String.format(Locale.ROOT, "<circle class=\"pt\" data-series=\"%s\" data-epoch=\"%d\" "
                        + "data-value=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s, epoch %d: %s</title></circle>\n",
                        se.id(), (long) x[i], Double.toString(v), px, py, colour, esc(se.label()), (long) x[i], fmt(v)));
            }
            if (path.length() > 0) {
                b.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colour)
                        .append("\" stroke-width=\"2\"/>\n");
            }
            b.append(dots);
            // legend, top right
            int ly = 14 + 14 * s;
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n", W - 170, ly, W - 150, ly, colour, W - 144, ly + 4, esc(se.label())));
        }
        b.append("</svg></div>\n");
    }

    private static void table(StringBuilder b, List<EpochRecord> records) {
        List<String> keys = new ArrayList<>();
        for (EpochRecord r : records) for (String k : r.validation().keySet()) if (!keys.contains(k)) keys.add(k);
        b.append("<table><thead><tr><th>epoch</th><th>step</th><th>train loss</th>");
        for (String k : keys) b.append("<th>validation ").append(esc(k)).append("</th>");
        b.append("<th>learning rate</th><th>grad norm</th><th>seconds</th><th>rows/s</th></tr></thead><tbody>\n");
        for (EpochRecord r : records) {
            b.append("<tr><td>").append(r.epoch()).append("</td><td>").append(r.step()).append("</td><td>")
                    .append(fmt(r.trainLoss())).append("</td>");
            for (String k : keys) b.append("<td>").append(fmt(r.validation().getOrDefault(k, Double.NaN))).append("</td>");
            b.append("<td>").append(fmt(r.learningRate())).append("</td><td>").append(fmt(r.gradNorm()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", r.epochSeconds()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.0f", r.rowsPerSecond())).append("</td></tr>\n");
        }
        b.append("</tbody></table>\n");
    }

    /** About {@code n} "nice" ticks (steps of 1, 2 or 5 times a power of ten) covering [lo, hi]. */
    static double[] ticks(double lo, double hi, int n) {
        if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
            double pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.05 : 0.5;
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / Math.max(1, n - 1);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int count = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[count];
        for (int i = 0; i < count; i++) t[i] = start + i * step;
        return t;
    }

    private static String fmtTick(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 8) + "f", Math.abs(v) < step * 1e-9 ? 0.0 : v);
    }

    private static String fmt(double v) {
        if (!Double.isFinite(v)) return "–";
        return String.format(Locale.ROOT, Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v != 0) ? "%.3e" : "%.5f", v);
    }

    private static double[] column(List<EpochRecord> records, ToDoubleFunction<EpochRecord> f) {
        return records.stream().mapToDouble(f).toArray();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
