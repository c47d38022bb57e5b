package dev.tierlab.inference.java;

/** Placeholder filled in by copy mode: hands the forward pass each layer's weights. */
interface WeightStager extends AutoCloseable {
    JavaModel.Layer layer(int l);

    @Override
    void close();
}
