package dev.tailor.observe.ingest;

import dev.tailor.observe.Inputs;
import dev.tailor.observe.ObserveSummary;
import dev.tailor.observe.Problems;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An input read through the pipeline in parts: a big plain file split at line boundaries ({@link Inputs#split}),
 * each part read on a thread of its own into a summary, problems and batches of its own, merged in the parts'
 * order — the same summary and the same first problems, with the file's line numbers, as reading it whole.
 */
public final class InParts {
    private InParts() {}

    /** Reads one part of an input into its own summary and problems. */
    @FunctionalInterface
    public interface PartReader {
        IngestPipeline.Read read(InputStream part, ObserveSummary summary, Problems problems) throws IOException;
    }

    /**
     * Reads an input: a big plain file in parts, each on a thread of its own, a gzip file or standard input as one
     * stream on this thread. Each part is read into a summary, problems and batches of its own (made here, on
     * this thread, by {@code readers}), merged in the parts' order when all are read — the same summary and the
     * same first problems, with the same line numbers, as reading the file from start to end.
     */
    public static IngestPipeline.Read read(
            String name,
            InputStream whole,
            List<Inputs.Part> parts,
            AtomicLong bytesRead,
            ObserveSummary summary,
            Problems problems,
            Supplier<PartReader> readers)
            throws IOException {
        if (parts.size() < 2) {
            ObserveSummary s = new ObserveSummary();
            Problems p = new Problems();
            IngestPipeline.Read read = readers.get().read(whole, s, p);
            summary.add(s);
            problems.addAll(p, 0);
            return read;
        }
        whole.close();
        return inThreads(name, parts, bytesRead, summary, problems, readers);
    }

    private static IngestPipeline.Read inThreads(
            String name,
            List<Inputs.Part> parts,
            AtomicLong bytesRead,
            ObserveSummary summary,
            Problems problems,
            Supplier<PartReader> readers)
            throws IOException {
        List<PartReader> partReaders = new ArrayList<>();
        List<ObserveSummary> summaries = new ArrayList<>();
        List<Problems> partProblems = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            partReaders.add(readers.get());
            summaries.add(new ObserveSummary());
            partProblems.add(new Problems());
        }
        ExecutorService pool = Executors.newFixedThreadPool(parts.size());
        try {
            List<Future<IngestPipeline.Read>> results = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                int k = i;
                results.add(pool.submit(() -> {
                    try (InputStream in = Inputs.open(name, parts.get(k), bytesRead)) {
                        return partReaders.get(k).read(in, summaries.get(k), partProblems.get(k));
                    }
                }));
            }
            long lines = 0;
            long events = 0;
            for (int i = 0; i < parts.size(); i++) {
                IngestPipeline.Read read = await(name, results.get(i));
                summary.add(summaries.get(i));
                problems.addAll(partProblems.get(i), lines);
                lines += read.lines();
                events += read.events();
            }
            return new IngestPipeline.Read(lines, events);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A part's read, its failure thrown as it was. */
    private static IngestPipeline.Read await(String name, Future<IngestPipeline.Read> result) throws IOException {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + name, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
