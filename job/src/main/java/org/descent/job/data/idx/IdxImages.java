package org.descent.job.data.idx;

/**
 * Images from an IDX file: {@code count} images of {@code rows x cols} unsigned bytes, row-major per
 * image, image after image ({@code pixels[(i * rows + r) * cols + c]}).
 */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {
    public IdxImages {
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException("IdxImages: " + count + "x" + rows + "x" + cols + " != " + pixels.length);
        }
    }

    /** Pixel {@code p} (0..rows*cols-1, row-major) of image {@code i}, 0..255. */
    public int pixel(int i, int p) {
        return pixels[i * rows * cols + p] & 0xFF;
    }
}
