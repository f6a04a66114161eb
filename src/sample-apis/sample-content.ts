import type { SampleContent, SampleInteraction } from './sample-data.js';

/** A small WAV header and silence, so a "recording" is a real audio file. */
function silentWav(seconds: number): Buffer {
  const rate = 8000;
  const data = Buffer.alloc(rate * seconds);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * The bytes of one content item of a sample interaction, as Interaction Content serves it and
 * Interaction Content Export copies it: a second of silence for a recording, the utterances of a
 * transcript as JSON.
 */
export function contentBody(interaction: SampleInteraction, content: SampleContent): Buffer {
  if (content.type === 'callRecording') return silentWav(1);
  const transcript = {
    guid: interaction.guid,
    utterances: [
      { speaker: 'agent', text: 'Thank you for calling, how can I help?' },
      { speaker: 'customer', text: 'I would like to check my order.' },
    ],
  };
  return Buffer.from(JSON.stringify(transcript));
}
