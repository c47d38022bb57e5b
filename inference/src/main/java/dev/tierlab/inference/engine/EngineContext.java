package dev.tierlab.inference.engine;

/**
 * One inference context: a KV cache and the compute state of a loaded model. Not thread-safe;
 * one generation at a time.
 */
public interface EngineContext extends AutoCloseable {

    /** Tokenizes text with the model's vocabulary. */
    int[] tokenize(String text, boolean addBos);

    /** Processes prompt tokens at the current position, in batches of n_batch; no logits are read. */
    void prefill(int[] tokens);

    /** Processes one token at the current position. */
    void decode(int token);

    /** The highest-logit token after the last prefill or decode. */
    int greedyToken();

    /** Tokens in the KV cache (the position the next token gets). */
    int position();

    /** Empties the KV cache so the next prefill starts at position 0. */
    void clearKvCache();

    /** Token id of the beginning-of-sequence token, or -1 if the vocabulary adds none. */
    int bosToken();

    int vocabularySize();

    EngineCounters counters();

    void resetCounters();

    @Override
    void close();
}
