# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
"""`degram eval --model M --data SPEC`: metrics of a checkpoint on a dataset split;
`degram eval --model M --speakers SPEC`: open-set speaker evaluation (degram.evaluation.speaker_eval)."""
from __future__ import annotations

import sys

from .common import add_data_root_argument, add_device_argument, add_model_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        'eval', help='evaluate a model on a dataset (top-1/top-5, mAP, AUC, d-prime), clean or noisy',
        description='Classify whole clips of a dataset split and report top-1 and top-5 accuracy, '
        'mAP, macro ROC AUC and d-prime. DATA is esc10, asc:speaker, asc:keyword, fsdd:digit, '
        'fsdd:speaker, a folder of class sub-folders or a CSV manifest (path,label[,split|fold]). '
        'Data that names no validation part (a plain path,label manifest or a folder) is scored whole. '
        'With --channel, every clip goes through channel conditions first: lowpass:HZ (a brick wall), '
        'band:LOW-HIGH (e.g. 300-3400, the telephone band), room:RT60 (a 6x5x3 m room, source 2 m away), '
        'eq (a random microphone response within +-6 dB), resample:RATE[:METHOD] (there and back; '
        'soxr_hq, soxr_lq, poly, linear), noise:SOURCE@SNR. '
        'With --noise, real noise clips are mixed in at --snr dB (fixed seed). With --output, '
        'writes the JSON and a confusion-matrix PNG next to it (<stem>_confusion.png). '
        'With --speakers SPEC instead of --data (voices:dev, voices:dev-a, voices:dev-b, a folder of speaker '
        'sub-folders or a CSV path,label): verification (EER, minDCF over all utterance pairs), open-set '
        'identification (--enrol utterances per speaker enrolled; top-1 with every speaker enrolled; the '
        'false-accept rate of strangers in 4 rotations that leave a quarter of the speakers out) and false '
        'accepts on non-speech windows through the node\'s voice gate, at the model\'s speaker_threshold '
        '(or --threshold); with --noise or --channel, the test utterances are noisy or heard through the '
        'channel and the enrolment is clean.')
    add_model_argument(parser, flag=True)
    parser.add_argument('--data', metavar='SPEC', help='dataset spec (see above)')
    parser.add_argument('--speakers', metavar='SPEC', help='speaker evaluation on these speakers (see above)')
    parser.add_argument('--split', default='val', choices=('val', 'train', 'all'),
                        help='val: the validation groups (default; those the checkpoint was validated on '
                        'when trained on the same spec), train: the others, all: every clip (always, when '
                        'the data names no validation part)')
    parser.add_argument('--validation', metavar='GROUPS',
                        help='validation groups for --split val/train, e.g. 4 (ESC-10 fold), 8 '
                        '(ASC repetition), 25-30 (ASC speakers), 5-9 (FSDD indices)')
    add_data_root_argument(parser)
    parser.add_argument('--noise', action='append', metavar='DIR',
                        help='folder, file or glob of noise clips, any format/rate/length; repeatable (with '
                        '--speakers, relative paths may be under the data root)')
    parser.add_argument('--snr', type=float, help='SNR in dB for --noise (default 10)')
    parser.add_argument('--channel', action='append', default=[], metavar='COND',
                        help='channel condition (see above), repeatable: applied in order, e.g. '
                        '--channel room:0.5 --channel lowpass:7000')
    parser.add_argument('--seed', type=int, default=0, help='noise and channel seed (default 0)')
    add_device_argument(parser)
    parser.add_argument('--batch-size', type=int, default=16, help='clips of equal length per batch (default 16)')
    parser.add_argument('--num-threads', type=int, help='torch CPU threads')
    parser.add_argument('--output', metavar='FILE.json', help='write the metrics JSON (and the confusion PNG)')
    parser.add_argument('--no-plot', action='store_true', help='do not draw the confusion matrix')
    parser.add_argument('--windows', action='store_true',
                        help='also window-level metrics at the node\'s window and hop, through its code path: '
                        'accuracy on windows that contain the sound, false detections on --out-of-set audio '
                        'and on silence, at the model\'s calibrated thresholds (or --threshold)')
    parser.add_argument('--out-of-set', action='append', default=[], metavar='NAME=SOURCE',
                        help='named out-of-set audio for --windows (file, folder or glob relative to the '
                        'data root); repeat a name to add sources to it')
    parser.add_argument('--threshold', type=float, help='one threshold for every class instead of the calibrated ones '
                        '(--speakers: the cosine threshold instead of the model\'s speaker_threshold)')
    parser.add_argument('--enrol', type=int, default=3, metavar='K',
                        help='--speakers: utterances enrolled per speaker, the first K of each (default 3)')
    parser.add_argument('--non-speech', action='append', metavar='SOURCE',
                        help='--speakers: non-speech file, folder or glob (relative to the data root) instead of '
                        'ESC-50 fold 4 (no vocal classes) + speech_commands_noise (digital silence is always added); '
                        'repeatable; "none" skips the non-speech test')
    parser.add_argument('--min-speech-ratio', type=float,
                        help='--speakers: voice gate of the non-speech test (default: the model\'s '
                        'min_speech_ratio, else 0.3)')
    parser.add_argument('--cache', metavar='DIR', help='--speakers: keep VAD results and embeddings in DIR '
                        '(.npz) for later runs')
    parser.add_argument('--window', type=float, help='--windows: seconds (default: the model\'s, else 1); '
                        '--speakers: the non-speech windows (default: the model\'s, else 2)')
    parser.add_argument('--hop', type=float, help='--windows: seconds (default: the model\'s, else 0.5); '
                        '--speakers: default half the window')
    parser.add_argument('--few-shot', action='store_true',
                        help='the few-shot protocol for a sound-event model trained without some ESC-50 classes '
                        '(the sound_event_fewshot recipe): N-way K-shot accuracy, detection recall at the '
                        'calibrated threshold, false detections on speech, room noise, silence and the known '
                        'classes, teach time (docs/sounds.md); instead of --data')
    parser.add_argument('--few-shot-classes', metavar='A,B,...', help='--few-shot: the held-out ESC-50 classes '
                        "(default: the checkpoint's data.exclude_labels)")
    parser.add_argument('--episodes', type=int, default=200, help='--few-shot: episodes per N-way K-shot (default 200)')
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..data import DatasetError
    from ..evaluation import evaluate_checkpoint, write_report

    if args.snr is not None and not args.noise:
        print('degram eval: error: --snr needs --noise DIR', file=sys.stderr)
        return 2
    if args.few_shot:
        return _few_shot(args)
    if bool(args.data) == bool(args.speakers):
        print('degram eval: error: give one of --data SPEC or --speakers SPEC', file=sys.stderr)
        return 2
    if args.speakers:
        return _speakers(args)
    snr = args.snr if args.snr is not None else (10.0 if args.noise else None)
    try:
        result = evaluate_checkpoint(args.model, args.data, split=args.split, validation=args.validation,
                                     data_root=args.data_root, noise=args.noise, snr=snr, seed=args.seed,
                                     device=args.device, batch_size=args.batch_size,
                                     num_threads=args.num_threads, channel=args.channel)
    except (DatasetError, ValueError) as exc:
        print(f'degram eval: error: {exc}', file=sys.stderr)
        return 1
    noise = f", noise {result['noise']['snr_db']:g} dB SNR ({result['noise']['files']} clips)" \
        if result.get('noise') else ''
    condition = (', channel ' + ' + '.join(args.channel)) if args.channel else ''
    print(f"{result['model']} on {result['data']} [{result['split']}: {result['n']} clips scored"
          f"{condition}{noise or ('' if condition else ', clean')}]")
    for key, name in (('top1', 'top-1'), ('top5', 'top-5'), ('map', 'mAP'), ('auc', 'AUC'), ('dprime', "d'")):
        value = result.get(key)
        print(f'  {name:6s} {value:.4f}' if value is not None else f'  {name:6s} n/a')
    if args.windows:
        result['windows'] = _window_metrics(args)
        _print_windows(result['windows'])
    if args.output:
        out, png = write_report(result, args.output, plot=not args.no_plot)
        print(f'wrote {out}' + (f' and {png}' if png else ''))
    return 0


def _window_metrics(args) -> dict:
    from ..data import find_data_root, list_audio_files
    from ..evaluation import select_split
    from ..evaluation.windows import evaluate_windows
    from ..events import detector_for
    from ..inference import load_checkpoint

    ckpt = load_checkpoint(args.model, device=args.device)
    dataset, idx, _, _ = select_split(ckpt, args.data, args.split, args.validation, args.data_root)
    root = find_data_root(args.data_root)
    sources: dict[str, list] = {}
    for item in args.out_of_set:
        name, _, source = item.partition('=')
        if not source:
            raise SystemExit(f'degram eval: error: --out-of-set {item!r} is not NAME=SOURCE')
        sources.setdefault(name, []).extend(list_audio_files(source, root))
    window, hop = ckpt.metadata.window_and_hop(args.window, args.hop)
    return evaluate_windows(ckpt, detector_for(ckpt, args.threshold), dataset, idx, sources,
                            window_length=window, hop_length=hop)


def _print_windows(windows: dict) -> None:
    pos = windows['positives']
    print(f"windows ({windows['window_length']:g} s, hop {windows['hop_length']:g} s), "
          f"{pos['windows']} containing the sound: top-1 {pos['top1']:.4f}, true class detected "
          f"{pos['detected']:.4f}, another class detected {pos['wrong_class_detected']:.4f}")
    for name, rate in windows['out_of_set'].items():
        print(f"  false detections on {name}: {rate['false_detections']}/{rate['windows']} windows "
              f"= {rate['rate']:.4f}")


def _speakers(args) -> int:
    import json
    from pathlib import Path

    from ..atomic import atomic_write
    from ..data import DatasetError, find_data_root, list_audio_files
    from ..evaluation.speaker_eval import evaluate_speakers, silence
    from ..inference import load_model

    if args.num_threads:
        import torch

        torch.set_num_threads(int(args.num_threads))
    non_speech = 'default'
    try:
        if args.non_speech:
            root = find_data_root(args.data_root)
            non_speech = None if args.non_speech == ['none'] else {
                'given': [(Path(f).stem, f) for source in args.non_speech for f in list_audio_files(source, root)],
                'silence': silence()}
        predictor = load_model(args.model, device=args.device)
        result = evaluate_speakers(predictor, args.speakers, data_root=args.data_root, enrol=args.enrol,
                                   threshold=args.threshold, noise=args.noise,
                                   snr=args.snr if args.snr is not None else 10.0, seed=args.seed,
                                   non_speech=non_speech, window=args.window, hop=args.hop,
                                   min_speech_ratio=args.min_speech_ratio, cache=args.cache, channel=args.channel)
    except (DatasetError, ValueError) as exc:
        print(f'degram eval: error: {exc}', file=sys.stderr)
        return 1
    result['model'] = str(args.model)
    print_speakers(result)
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, (json.dumps(result, indent=2, allow_nan=False) + '\n').encode())
        print(f'wrote {out}')
    return 0


def _pct(value) -> str:
    return 'n/a' if value is None else f'{100 * value:.1f} %'


def print_speakers(result: dict) -> None:
    """The speaker evaluation in a few lines."""
    c, v, ident = result['counts'], result['verification'], result['identification']
    noise = f", noise {result['noise']['snr_db']:g} dB SNR ({result['noise']['files']} clips)" \
        if result.get('noise') else ''
    channel = (', channel ' + ' + '.join(result['channel'])) if result.get('channel') else ''
    noise = channel + (noise or ('' if channel else ', clean'))
    print(f"{result['name']} on {result['speakers']} [{c['speakers']} speakers, {c['utterances']} utterances, "
          f"{c['windows']} windows{noise}], threshold {result['threshold']:.3f} ({result['threshold_source']})")
    print(f"  verification  EER {_pct(v['eer'])}  minDCF(p={v['p_target']:g}) {v['min_dcf']:.3f}  "
          f"({v['target_pairs']} target / {v['nontarget_pairs']} non-target pairs)")
    for key, text in (('all_enrolled', 'all enrolled'), ('rotations', 'rotations')):
        r = ident[key]
        line = (f"  {text:13s} top-1 {_pct(r['top1'])}  named {_pct(r['named'])}  unknown {_pct(r['unknown'])}  "
                f"misnamed {_pct(r['misnamed'])}  ({r['counts']['trials']} trials)")
        if 'far' in r:
            line += f"  stranger FAR {_pct(r['far'])} ({r['counts']['false_accepts']}/{r['counts']['stranger_trials']})"
        print(line)
    ns = result.get('non_speech')
    if ns:
        print(f"  non-speech    named {_pct(ns['known_rate'])} ({ns['known']}/{ns['windows']} windows), "
              f"passed the voice gate {_pct(ns['gate_rate'])} (min_speech_ratio {ns['min_speech_ratio']:g})")


def _few_shot(args) -> int:
    import json

    from ..inference import load_model
    from ..sounds.fewshot import evaluate_few_shot, format_few_shot

    if args.data or args.speakers:
        print('degram eval: error: --few-shot takes no --data or --speakers', file=sys.stderr)
        return 2
    predictor = load_model(args.model, device=args.device)
    classes = [c.strip() for c in args.few_shot_classes.split(',') if c.strip()] if args.few_shot_classes else None
    try:
        result = evaluate_few_shot(predictor, classes, args.data_root, episodes=args.episodes, seed=args.seed,
                                   progress=lambda message: print(message, file=sys.stderr))
    except ValueError as exc:
        print(f'degram eval: error: {exc}', file=sys.stderr)
        return 2
    print(format_few_shot(result))
    if args.output:
        from pathlib import Path

        Path(args.output).write_text(json.dumps(result, indent=2) + '\n')
        print(f'wrote {args.output}')
    return 0
