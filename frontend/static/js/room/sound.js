// @ts-check
// A short, soft two-note chime (Web Audio: no file to fetch); silent where audio is not
// allowed (a browser plays sound only after the person has used the page).

/** @type {AudioContext | null} */
let audio = null;

/** @param {readonly number[]} [notes] frequencies in Hz, played one after the other */
export function chime(notes = [660, 880]) {
  try {
    const Context = globalThis.AudioContext;
    if (!Context) return;
    audio ??= new Context();
    const start = audio.currentTime;
    for (const [i, frequency] of notes.entries()) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + i * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.2, start + i * 0.15 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.15 + 0.14);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + i * 0.15);
      tone.stop(start + i * 0.15 + 0.15);
    }
  } catch { /* no sound: what is on the screen and the screen reader's announcement remain */ }
}
