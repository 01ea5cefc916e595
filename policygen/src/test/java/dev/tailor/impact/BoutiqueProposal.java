package dev.tailor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tailor.fixtures.ObservedWeek;
import dev.tailor.generate.Observations;
import dev.tailor.generate.PolicyGenerator;
import dev.tailor.store.ObservationStore;
import java.nio.file.Path;

/**
 * The Online Boutique week observed into an H2 store, {@code tailor generate}'s proposal for it, and that proposal's
 * impact report: what the impact tests start from.
 */
record BoutiqueProposal(String store, Path policies, ImpactReport clean) {

    /** Writes the week into {@code dir}, observes and generates there, and replays the proposal. */
    static BoutiqueProposal make(Path dir) throws Exception {
        String store = ObservationStore.embeddedUrl(dir.resolve("store"));
        ObservedWeek.observe(ObservedWeek.write(dir), store);
        Path policies = dir.resolve("policies");
        assertEquals(0, ObservedWeek.tailor("generate", "--out", policies.toString(), "--store", store));
        return new BoutiqueProposal(store, policies, analyze(store, PolicySet.read(policies)));
    }

    /** The impact of a proposal against no current policies, on the store's default window. */
    static ImpactReport analyze(String store, PolicySet proposal) throws Exception {
        try (ObservationStore s = ObservationStore.open(store)) {
            PolicyGenerator.Options options = PolicyGenerator.Options.defaults();
            return new ImpactAnalyzer(PolicySet.empty(), proposal)
                    .analyze(s, Observations.load(s, options.window(), null), options);
        }
    }
}
