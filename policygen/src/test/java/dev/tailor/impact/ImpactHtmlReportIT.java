package dev.tailor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tailor.fixtures.ObservedWeek;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML impact report of the Online Boutique week, opened in a real headless Chromium (Debian's, which
 * {@code .ci/run} installs: {@code tools/chromium-for-tests}): the page's own script draws the graphs.
 */
class ImpactHtmlReportIT {

    private static BoutiqueProposal week;

    @BeforeAll
    static void generateAndReplay(@TempDir Path tmp) throws Exception {
        week = BoutiqueProposal.make(tmp);
    }

    @Test
    void theHtmlReportRendersItsGraphsInHeadlessChromium() throws Exception {
        String chromium = System.getenv("TAILOR_TEST_CHROMIUM");
        assertNotNull(
                chromium,
                "TAILOR_TEST_CHROMIUM is not set: run the tests with "
                        + "`bash .ci/run`, which installs Debian's chromium (tools/chromium-for-tests), or point it at a Chromium");
        Path out = week.policies().resolveSibling("html");
        assertEquals(
                0,
                ObservedWeek.tailor(
                        "impact",
                        "--proposed",
                        week.policies().toString(),
                        "--store",
                        week.store(),
                        "--format",
                        "html",
                        "--out",
                        out.toString()));
        Path html = out.resolve("impact.html");
        Process p = new ProcessBuilder(
                        chromium,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--virtual-time-budget=5000",
                        "--dump-dom",
                        html.toUri().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        // The page's own script drew the graphs: one circle per workload in each of Before and After, the arrows the
        // report lists, and the access chart's bars.
        assertTrue(dom.contains("data-rendered=\"true\""), dom.length() > 2000 ? dom.substring(0, 2000) : dom);
        assertEquals(
                List.of("batch", "boutique"),
                List.copyOf(week.clean().connectivity().keySet()));
        long nodes = 0;
        long edges = 0;
        for (ImpactReport.Connectivity c : week.clean().connectivity().values()) {
            nodes += 2L * c.nodes().size();
            edges += c.before().size() + c.after().size() + c.observed().size();
        }
        assertEquals(nodes, count(dom, "class=\"node\""));
        assertEquals(edges, count(dom, "class=\"edge\""));
        assertTrue(
                count(dom, "class=\"bar\"") >= 3 * week.clean().workloads().size(), "granted, used and proposed bars");
        assertTrue(dom.contains("Clean: nothing observed would be denied"));
    }

    private static long count(String text, String needle) {
        long n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
