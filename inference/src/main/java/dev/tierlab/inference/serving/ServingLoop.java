package dev.tierlab.inference.serving;

import dev.tierlab.emulator.timeline.Trace;
import dev.tierlab.inference.engine.BatchContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Continuous batching over an engine's multi-sequence batches, written in tierlab (the scheduler is
 * ours, llama.cpp only computes the batches it is given).
 *
 * <p>Each step fills a budget of {@code tokenBudget} tokens: first one decode token for every running
 * sequence that has its first token, then prefill chunks of running sequences still in their prompt
 * (oldest admission first), then newly admitted requests (first come, first served) while a sequence
 * slot is free and budget is left. So prefill is chunked and mixed with decode, and a long prompt never
 * stalls the running sequences' decode for more than one step. A request's first token comes from the
 * step that processes its last prompt token; a finished sequence has its KV cells removed at once and
 * its slot serves the next request. Output lengths are the workload's (greedy tokens are generated but
 * end-of-sequence does not stop a request), so the schedule never depends on token values.
 *
 * <p>Time is the {@link ServingClock}'s: arrivals are admitted once the clock has passed their
 * scheduled time, and every token is stamped with the clock at the end of its step.
 */
public final class ServingLoop {

    /** Batch limits: sequences held at once and tokens per step. */
    public record Config(int maxSequences, int tokenBudget) {
        public Config {
            if (maxSequences < 1) {
                throw new IllegalArgumentException("max_sequences must be at least 1, got " + maxSequences);
            }
            if (tokenBudget < maxSequences) {
                throw new IllegalArgumentException("token_budget (%d) must be at least max_sequences (%d), so every running sequence decodes each step"
                        .formatted(tokenBudget, maxSequences));
            }
        }
    }

    /**
     * A finished run: every request's record (in request order), the steps as a batched trace, each
     * step's cost on the run's clock and its host time.
     */
    public record Result(List<RequestRecord> requests, Trace trace, long[] stepNanos, long[] hostStepNanos, long endNanos) {
    }

    private ServingLoop() {
    }

    /**
     * Serves {@code requests} (sorted by arrival) to completion.
     *
     * @param prompts the prompt tokens of a request (at least its promptTokens long; only that many are used)
     */
    public static Result run(List<Request> requests, BatchContext engine, Config config, ServingClock clock,
            Function<Request, int[]> prompts) {
        int maxSeq = Math.min(config.maxSequences(), engine.maxSequences());
        int budgetMax = config.tokenBudget();
        int n = requests.size();
        for (int i = 1; i < n; i++) {
            if (requests.get(i).arrivalNanos() < requests.get(i - 1).arrivalNanos()) {
                throw new IllegalArgumentException("requests must be sorted by arrival (request " + requests.get(i).id() + ")");
            }
        }
        // Per slot (sequence id): the request it serves, its prompt, prompt tokens done, generated tokens.
        int[] slotReq = new int[maxSeq];
        Arrays.fill(slotReq, -1);
        int[][] slotPrompt = new int[maxSeq][];
        int[] prefilled = new int[maxSeq];
        int[] generated = new int[maxSeq];
        int[] lastToken = new int[maxSeq];
        List<Integer> running = new ArrayList<>(); // slots in admission order
        ArrayDeque<Integer> waiting = new ArrayDeque<>();
        long[] admitted = new long[n];
        long[] first = new long[n];
        long[] finished = new long[n];
        int[][] tokens = new int[n][];
        float[][] margins = new float[n][];
        // Batch arrays, reused every step.
        int[] eTok = new int[budgetMax];
        int[] eSeq = new int[budgetMax];
        int[] ePos = new int[budgetMax];
        boolean[] eLogits = new boolean[budgetMax];
        int[] sTokens = new int[maxSeq];
        int[] sPast = new int[maxSeq];
        int[] sSlot = new int[maxSeq];
        List<int[]> traceTokens = new ArrayList<>();
        List<int[]> tracePast = new ArrayList<>();
        long[] stepNanos = new long[64];
        long[] hostNanos = new long[64];
        int steps = 0;
        int next = 0;
        int done = 0;
        while (done < n) {
            while (next < n && requests.get(next).arrivalNanos() <= clock.now()) {
                waiting.add(next++);
            }
            if (running.isEmpty() && waiting.isEmpty()) {
                clock.idleUntil(requests.get(next).arrivalNanos());
                continue;
            }
            long stepStart = clock.now();
            int e = 0;
            int nSeq = 0;
            int budget = budgetMax;
            for (int slot : running) {
                Request r = requests.get(slotReq[slot]);
                if (prefilled[slot] == r.promptTokens()) {
                    eTok[e] = lastToken[slot];
                    eSeq[e] = slot;
                    ePos[e] = r.promptTokens() + generated[slot] - 1;
                    eLogits[e] = true;
                    e++;
                    budget--;
                    sTokens[nSeq] = 1;
                    sPast[nSeq] = ePos[e - 1];
                    sSlot[nSeq++] = slot;
                }
            }
            for (int slot : running) {
                Request r = requests.get(slotReq[slot]);
                if (prefilled[slot] < r.promptTokens() && budget > 0) {
                    int chunk = Math.min(budget, r.promptTokens() - prefilled[slot]);
                    sTokens[nSeq] = chunk;
                    sPast[nSeq] = prefilled[slot];
                    sSlot[nSeq++] = slot;
                    e = addChunk(slot, slotPrompt[slot], prefilled[slot], chunk, r.promptTokens(), e, eTok, eSeq, ePos, eLogits);
                    prefilled[slot] += chunk;
                    budget -= chunk;
                }
            }
            while (budget > 0 && !waiting.isEmpty() && running.size() < maxSeq) {
                int slot = 0;
                while (slotReq[slot] >= 0) {
                    slot++;
                }
                int id = waiting.poll();
                Request r = requests.get(id);
                slotReq[slot] = id;
                int[] p = prompts.apply(r);
                if (p.length < r.promptTokens()) {
                    throw new IllegalArgumentException("prompt source gave " + p.length + " tokens for request " + r.id()
                            + " of " + r.promptTokens());
                }
                slotPrompt[slot] = p;
                prefilled[slot] = 0;
                generated[slot] = 0;
                admitted[id] = stepStart;
                tokens[id] = new int[r.outputTokens()];
                margins[id] = new float[r.outputTokens()];
                running.add(slot);
                int chunk = Math.min(budget, r.promptTokens());
                sTokens[nSeq] = chunk;
                sPast[nSeq] = 0;
                sSlot[nSeq++] = slot;
                e = addChunk(slot, p, 0, chunk, r.promptTokens(), e, eTok, eSeq, ePos, eLogits);
                prefilled[slot] = chunk;
                budget -= chunk;
            }
            long host = engine.step(e, eTok, eSeq, ePos, eLogits);
            clock.afterStep(steps, nSeq, sTokens, sPast, host);
            long now = clock.now();
            if (steps == stepNanos.length) {
                stepNanos = Arrays.copyOf(stepNanos, steps * 2);
                hostNanos = Arrays.copyOf(hostNanos, steps * 2);
            }
            stepNanos[steps] = now - stepStart;
            hostNanos[steps] = host;
            traceTokens.add(Arrays.copyOf(sTokens, nSeq));
            tracePast.add(Arrays.copyOf(sPast, nSeq));
            steps++;
            for (int i = 0; i < e; i++) {
                if (!eLogits[i]) {
                    continue;
                }
                int slot = eSeq[i];
                int id = slotReq[slot];
                int tok = engine.greedyToken(i);
                if (generated[slot] == 0) {
                    first[id] = now;
                }
                margins[id][generated[slot]] = engine.topMargin(i);
                tokens[id][generated[slot]++] = tok;
                lastToken[slot] = tok;
                if (generated[slot] == requests.get(id).outputTokens()) {
                    finished[id] = now;
                    engine.removeSequence(slot);
                    slotReq[slot] = -1;
                    slotPrompt[slot] = null;
                    running.remove(Integer.valueOf(slot));
                    done++;
                }
            }
        }
        List<RequestRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new RequestRecord(requests.get(i), admitted[i], first[i], finished[i], tokens[i], margins[i]));
        }
        return new Result(out, Trace.batched(traceTokens.toArray(int[][]::new), tracePast.toArray(int[][]::new)),
                Arrays.copyOf(stepNanos, steps), Arrays.copyOf(hostNanos, steps), clock.now());
    }

    /** Adds prompt tokens [from, from + chunk) of one sequence; logits only for the prompt's last token. */
    private static int addChunk(int slot, int[] prompt, int from, int chunk, int promptTokens, int e, int[] eTok, int[] eSeq,
            int[] ePos, boolean[] eLogits) {
        for (int j = 0; j < chunk; j++) {
            eTok[e] = prompt[from + j];
            eSeq[e] = slot;
            ePos[e] = from + j;
            eLogits[e] = from + j == promptTokens - 1;
            e++;
        }
        return e;
    }
}
