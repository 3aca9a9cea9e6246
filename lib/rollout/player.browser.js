/*
 * qvpo-kit rollout player (runs in the browser; inlined into the page by page.ts after
 * three.js). Reads the recording from #rollout-data, builds one three.js group per MuJoCo
 * body with its geoms as meshes, and moves the groups to each frame's xpos / xquat. MuJoCo is
 * z-up, so the camera's up is +z and the scene keeps MuJoCo's coordinates.
 * window.rollout exposes the frame count and the controls (tests and curious users).
 */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('rollout-data').textContent);
  const rec = data.recording;
  const nbody = rec.bodies.length;
  const frames = rec.frames;

  const view = document.getElementById('view');
  const playButton = document.getElementById('play');
  const scrub = document.getElementById('scrub');
  const counter = document.getElementById('frame-counter');
  const readout = document.getElementById('readout');
  const cursor = document.getElementById('trace-cursor');
  const trace = cursor ? cursor.ownerSVGElement : null;

  let renderer = null;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (e) {
    // Without WebGL the slider, counter and reward trace still work.
    view.innerHTML = '<p class="no-webgl">This browser cannot draw WebGL here; the reward trace and controls still work.</p>';
  }

  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xeef2f6);
  const camera = new THREE.PerspectiveCamera(40, 2, 0.05, 200);
  camera.up.set(0, 0, 1);
  const sky = new THREE.HemisphereLight(0xffffff, 0x8090a0, 2.2);
  sky.position.set(0, 0, 1);
  scene.add(sky);
  const sun = new THREE.DirectionalLight(0xffffff, 1.6);
  sun.position.set(-3, -5, 8);
  scene.add(sun);

  const bodyGroups = rec.bodies.map(function () {
    const g = new THREE.Group();
    scene.add(g);
    return g;
  });

  /** A three.js geometry in the geom's own frame (three's capsules and cylinders run along y, MuJoCo's along z). */
  function geometryOf(geom) {
    const s = geom.size;
    switch (geom.type) {
      case 'plane': {
        // Size 0 means an infinite plane in MuJoCo; 60 m covers any episode's walk.
        const w = s[0] > 0 ? 2 * s[0] : 60;
        const h = s[1] > 0 ? 2 * s[1] : 60;
        return new THREE.PlaneGeometry(w, h);
      }
      case 'sphere':
        return new THREE.SphereGeometry(s[0], 24, 16);
      case 'ellipsoid':
        return new THREE.SphereGeometry(1, 24, 16).scale(s[0], s[1], s[2]);
      case 'capsule':
        return new THREE.CapsuleGeometry(s[0], 2 * s[1], 8, 16).rotateX(Math.PI / 2);
      case 'cylinder':
        return new THREE.CylinderGeometry(s[0], s[0], 2 * s[1], 20).rotateX(Math.PI / 2);
      case 'box':
        return new THREE.BoxGeometry(2 * s[0], 2 * s[1], 2 * s[2]);
      default:
        return null;
    }
  }

  /** A 1 m checkerboard for the floor, so motion over the ground shows (drawn lines vanish in SwiftShader when they cross the camera plane). */
  function checkerTexture(width, height) {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 64;
    const g = canvas.getContext('2d');
    g.fillStyle = '#e1e6ec';
    g.fillRect(0, 0, 64, 64);
    g.fillStyle = '#c5ccd5';
    g.fillRect(0, 0, 32, 32);
    g.fillRect(32, 32, 32, 32);
    const texture = new THREE.CanvasTexture(canvas);
    texture.wrapS = THREE.RepeatWrapping;
    texture.wrapT = THREE.RepeatWrapping;
    // One tile holds 2 × 2 squares of 1 m.
    texture.repeat.set(width / 2, height / 2);
    texture.colorSpace = THREE.SRGBColorSpace;
    texture.anisotropy = 8;
    return texture;
  }

  rec.geoms.forEach(function (geom, i) {
    const geometry = geometryOf(geom);
    if (!geometry) return;
    const alpha = geom.rgba[3];
    const material =
      geom.type === 'plane'
        ? new THREE.MeshLambertMaterial({ map: checkerTexture(geometry.parameters.width, geometry.parameters.height) })
        : new THREE.MeshLambertMaterial({ color: new THREE.Color(data.colours[i]), transparent: alpha < 1, opacity: alpha });
    const mesh = new THREE.Mesh(geometry, material);
    mesh.position.set(geom.pos[0], geom.pos[1], geom.pos[2]);
    mesh.quaternion.set(geom.quat[1], geom.quat[2], geom.quat[3], geom.quat[0]);
    bodyGroups[geom.body].add(mesh);
  });

  function bodyPosition(f, b) {
    const i = 3 * (f * nbody + b);
    return [rec.xpos[i], rec.xpos[i + 1], rec.xpos[i + 2]];
  }

  // Camera distance from the body's size in the first frame: how far its geoms reach from the torso.
  const torsoAtStart = bodyPosition(0, rec.torso);
  let reach = 0.5;
  rec.geoms.forEach(function (geom) {
    if (geom.type === 'plane') return;
    const p = bodyPosition(0, geom.body);
    const bodyOffset = Math.hypot(p[0] - torsoAtStart[0], p[1] - torsoAtStart[1], p[2] - torsoAtStart[2]);
    reach = Math.max(reach, bodyOffset + Math.hypot(geom.pos[0], geom.pos[1], geom.pos[2]) + Math.max(geom.size[0], geom.size[1]));
  });
  const distance = 1.5 + 2.5 * reach;
  const eyeHeight = Math.max(0.6, torsoAtStart[2]);

  let current = 0;

  function resize() {
    if (!renderer) return;
    const w = Math.max(view.clientWidth, 200);
    const h = Math.max(view.clientHeight, 150);
    renderer.setPixelRatio(window.devicePixelRatio || 1);
    renderer.setSize(w, h);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
  }

  function describe(f) {
    const parts = ['reward ' + rec.rewards[f].toFixed(3)];
    Object.keys(rec.terms).forEach(function (term) {
      parts.push(term + ' ' + rec.terms[term][f].toFixed(3));
    });
    parts.push('action [' + rec.actions[f].map(function (a) { return a.toFixed(2); }).join(', ') + ']');
    parts.push('t = ' + ((f + 1) * rec.dt).toFixed(3) + ' s');
    return parts.join(' · ');
  }

  function setFrame(f) {
    current = Math.min(Math.max(Math.round(f), 0), frames - 1);
    for (let b = 0; b < nbody; b++) {
      const p = bodyPosition(current, b);
      const q = 4 * (current * nbody + b);
      bodyGroups[b].position.set(p[0], p[1], p[2]);
      bodyGroups[b].quaternion.set(rec.xquat[q + 1], rec.xquat[q + 2], rec.xquat[q + 3], rec.xquat[q]);
    }
    // Follow the torso along the ground from the side (−y), at a steady height.
    const t = bodyPosition(current, rec.torso);
    camera.position.set(t[0] - 0.2 * distance, t[1] - distance, 0.6 * eyeHeight + 0.3 * distance);
    camera.lookAt(t[0], t[1], 0.55 * eyeHeight);
    scrub.value = String(current);
    counter.textContent = 'frame ' + (current + 1) + ' / ' + frames;
    counter.setAttribute('data-frame', String(current));
    readout.textContent = describe(current);
    if (cursor && trace) {
      const x0 = Number(trace.getAttribute('data-plot-left'));
      const x1 = Number(trace.getAttribute('data-plot-right'));
      const x = x0 + ((x1 - x0) * current) / Math.max(frames - 1, 1);
      cursor.setAttribute('x1', String(x));
      cursor.setAttribute('x2', String(x));
    }
    if (renderer) renderer.render(scene, camera);
  }

  // Playback at real time: one frame per rec.dt seconds of wall time.
  let playing = false;
  let startedAt = 0;
  let startFrame = 0;

  function tick(now) {
    if (!playing) return;
    const f = startFrame + Math.floor((now - startedAt) / 1000 / rec.dt);
    if (f >= frames - 1) {
      setFrame(frames - 1);
      pause();
      return;
    }
    if (f !== current) setFrame(f);
    requestAnimationFrame(tick);
  }

  function play() {
    if (playing) return;
    if (current >= frames - 1) setFrame(0);
    playing = true;
    startedAt = performance.now();
    startFrame = current;
    playButton.textContent = 'Pause';
    requestAnimationFrame(tick);
  }

  function pause() {
    playing = false;
    playButton.textContent = 'Play';
  }

  playButton.addEventListener('click', function () {
    if (playing) pause();
    else play();
  });
  scrub.addEventListener('input', function () {
    pause();
    setFrame(Number(scrub.value));
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === ' ' && e.target === document.body) {
      e.preventDefault();
      if (playing) pause();
      else play();
    }
  });
  window.addEventListener('resize', function () {
    resize();
    setFrame(current);
  });

  if (renderer) view.appendChild(renderer.domElement);
  resize();
  setFrame(0);

  window.rollout = {
    frames: frames,
    get frame() {
      return current;
    },
    get playing() {
      return playing;
    },
    webgl: renderer !== null,
    setFrame: setFrame,
    play: play,
    pause: pause,
  };
})();
