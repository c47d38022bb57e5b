package dev.tierlab.inference.serving;

import dev.tierlab.inference.engine.BatchContext;
import java.util.ArrayList;
import java.util.List;

/** An engine that computes nothing: token 0 always, and a record of every step's entries and removals. */
final class FakeBatch implements BatchContext {

    final int maxSequences;
    final List<Integer> stepSizes = new ArrayList<>();
    final List<Integer> removed = new ArrayList<>();

    FakeBatch(int maxSequences) {
        this.maxSequences = maxSequences;
    }

    @Override
    public int maxSequences() {
        return maxSequences;
    }

    @Override
    public int[] tokenize(String text, boolean addBos) {
        return new int[] {1};
    }

    @Override
    public long step(int n, int[] tokens, int[] seqs, int[] positions, boolean[] logits) {
        stepSizes.add(n);
        return 0;
    }

    @Override
    public int greedyToken(int entry) {
        return 0;
    }

    @Override
    public float topMargin(int entry) {
        return 1;
    }

    @Override
    public void removeSequence(int seq) {
        removed.add(seq);
    }

    @Override
    public void close() {
    }

    static int[] prompt(Request r) {
        return new int[r.promptTokens()];
    }
}
