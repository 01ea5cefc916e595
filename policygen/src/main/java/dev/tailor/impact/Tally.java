package dev.tailor.impact;

import java.util.Set;
import java.util.TreeSet;

/** Counts replayed behaviors and what they used, and keeps the first examples of what would be denied. */
final class Tally {
    long observed;
    long allowedNow;
    boolean nowKnown = true;
    long allowedNext;
    final Set<String> denied = new TreeSet<>();
    final Set<String> used = new TreeSet<>();
    long notJudged;
    final Set<String> notJudgedExamples = new TreeSet<>();

    void notJudged(String what, String unit) {
        observed++;
        used.add(unit);
        nowKnown = false;
        notJudged++;
        notJudgedExamples.add(what);
    }

    void add(Boolean now, boolean next, String what, String unit) {
        observed++;
        used.add(unit);
        if (now == null) {
            nowKnown = false;
        } else if (now) {
            allowedNow++;
        }
        if (next) {
            allowedNext++;
        } else {
            denied.add(what);
        }
    }

    ImpactReport.KindImpact impact(ImpactAnalyzer.Access now, ImpactAnalyzer.Access next) {
        return new ImpactReport.KindImpact(
                observed,
                nowKnown ? allowedNow : null,
                allowedNext,
                observed - allowedNext - notJudged,
                denied.stream().limit(ImpactAnalyzer.EXAMPLES).toList(),
                now.words(),
                next.words(),
                now.count(),
                used.size(),
                next.count() == null ? 0 : next.count(),
                notJudged,
                notJudgedExamples.stream().limit(ImpactAnalyzer.EXAMPLES).toList());
    }
}
