/**
 * Helper for bench/detect.ts, run as a child process so that libvips' upscaling buffers do not
 * count towards the benchmark process's peak RSS:
 *
 *   node dist/bench/make-photo.js SOURCE OUTPUT.jpg [WIDTH HEIGHT]
 *
 * Centre-crops SOURCE to the target aspect ratio, upscales it with Lanczos-3 and writes a
 * baseline JPEG at quality 92. Prints one JSON line describing what it did.
 */
import sharp from 'sharp';

async function main(): Promise<void> {
  const [source, output, w = '4000', h = '3000'] = process.argv.slice(2);
  if (!source || !output) throw new Error('usage: make-photo.js SOURCE OUTPUT.jpg [WIDTH HEIGHT]');
  const width = Number.parseInt(w, 10);
  const height = Number.parseInt(h, 10);
  const meta = await sharp(source).autoOrient().metadata();
  const sw = meta.autoOrient.width;
  const sh = meta.autoOrient.height;
  // Largest centred crop with the target's aspect ratio.
  const cropW = Math.min(sw, Math.round((sh * width) / height));
  const cropH = Math.min(sh, Math.round((cropW * height) / width));
  const left = Math.floor((sw - cropW) / 2);
  const top = Math.floor((sh - cropH) / 2);
  const info = await sharp(source)
    .autoOrient()
    .extract({ left, top, width: cropW, height: cropH })
    .resize({ width, height, fit: 'fill', kernel: 'lanczos3' })
    .jpeg({ quality: 92 })
    .toFile(output);
  process.stdout.write(
    `${JSON.stringify({ source, output, sourceWidth: sw, sourceHeight: sh, crop: [left, top, cropW, cropH], width: info.width, height: info.height, bytes: info.size })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`make-photo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
