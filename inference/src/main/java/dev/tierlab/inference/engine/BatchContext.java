package dev.tierlab.inference.engine;

/**
 * An inference context whose KV cache holds several sequences, each step a batch that mixes them:
 * the engine side of continuous batching. Not thread-safe.
 *
 * <p>A step is given as parallel arrays over batch entries: entry i is token {@code tokens[i]} of
 * sequence {@code seqs[i]} at position {@code positions[i]}, with logits computed where
 * {@code logits[i]} is set. After {@link #step}, {@link #greedyToken(int)} reads entry i's logits.
 */
public interface BatchContext extends AutoCloseable {

    /** Sequence ids run from 0 to maxSequences - 1. */
    int maxSequences();

    /** Tokenizes text with the model's vocabulary. */
    int[] tokenize(String text, boolean addBos);

    /** Runs one batch of {@code n} entries; returns the host nanoseconds llama_decode took. */
    long step(int n, int[] tokens, int[] seqs, int[] positions, boolean[] logits);

    /** The highest-logit token of batch entry {@code entry} of the last step (its logits flag must be set). */
    int greedyToken(int entry);

    /** The gap between the highest and second-highest logit of entry {@code entry}: how firm its greedy choice is. */
    float topMargin(int entry);

    /** Drops every KV cell of sequence {@code seq}, so its id can serve a new request. */
    void removeSequence(int seq);

    @Override
    void close();
}
