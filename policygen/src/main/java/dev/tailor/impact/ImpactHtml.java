package dev.tailor.impact;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * impact.html — one self-contained file (no network, no libraries): the verdict, per namespace a before/after graph
 * of which workloads may reach which (observed connections drawn over it, green when the proposal keeps them, red
 * when it would cut them), and per workload a chart of access granted now, used and proposed. The report's JSON is
 * embedded and drawn by the page's own script ({@code impact.html.template} beside this class); the page marks
 * {@code <body data-rendered="true">} when it is done.
 */
public final class ImpactHtml {
    private ImpactHtml() {}

    public static String render(ImpactReport report, String json) {
        String template;
        try (InputStream in = ImpactHtml.class.getResourceAsStream("impact.html.template")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Inside <script>, "</" could end the element early: JSON allows "<\/" for it.
        String embedded = json.replace("</", "<\\/");
        return template.replace("/*TITLE*/", report.clean() ? "clean" : report.breakage() + " would be denied")
                .replace("/*DATA*/", embedded);
    }
}
