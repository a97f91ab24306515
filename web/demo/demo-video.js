/* Video (ext): a video call button, answering with video, Add/Remove video
 * and camera on/off during a call, and the local and remote video tiles
 * (getLocalStream / getRemoteStream, refreshed on connected and
 * mediaUpdated). The tiles are muted: the SDK plays the call's audio. */
'use strict';

(function () {
  const demo = window.demo;
  const { client, $, log } = demo;

  // tiles shows the current call's streams, or hides the tiles.
  function tiles() {
    const call = client.getCall();
    const live = call && call.callState === 'connected';
    const local = live ? call.getLocalStream() : null;
    const remote = live ? call.getRemoteStream() : null;
    const hasVideo = !!(live && call.hasVideo);
    $('videoTiles').hidden = !hasVideo;
    show($('localVideo'), local && local.getVideoTracks().length ? local : null);
    show($('remoteVideo'), remote && remote.getVideoTracks().length ? remote : null);
    $('videoToggle').hidden = !live;
    $('videoToggle').textContent = live && call.callDetails().localVideo ? 'Remove video' : 'Add video';
    $('cameraToggle').hidden = !(live && call.callDetails().localVideo);
    $('cameraToggle').textContent = live && call.isVideoMuted ? 'Camera on' : 'Camera off';
  }

  function show(el, stream) {
    if (el.srcObject !== stream) { el.srcObject = stream; }
    el.hidden = !stream;
  }

  demo.onCall.push((call, event) => {
    if (event === 'mediaUpdated') { log('the call\'s video changed: hasVideo ' + call.hasVideo); }
    if (event === 'media_permission_denied') { log('camera refused: the call goes on without video'); }
    tiles();
  });

  // toggleVideo adds our camera to the call or removes the video.
  function toggleVideo() {
    const call = client.getCall();
    if (!call) { return; }
    const adding = !call.callDetails().localVideo;
    $('videoToggle').disabled = true;
    Promise.resolve(adding ? call.AddVideo() : call.RemoveVideo()).then((ok) => {
      if (!ok) { log((adding ? 'Add' : 'Remove') + ' video failed: the call is unchanged'); }
    }).finally(() => { $('videoToggle').disabled = false; tiles(); });
  }

  function toggleCamera() {
    const call = client.getCall();
    if (!call) { return; }
    if (call.isVideoMuted) { call.UnMuteVideo(); } else { call.MuteVideo(); }
    tiles();
  }

  function videoCall() {
    const destination = String($('dialTo').value || '').trim();
    if (!destination) { return; }
    if (!demo.registered) { log('Register first.'); return; }
    log('MakeCall ' + destination + ' with video');
    Promise.resolve(client.MakeCall(destination, { video: true })).then((ok) => {
      if (!ok) { log('Could not call ' + destination); }
    });
  }

  function answerVideo() {
    const call = client.getCall();
    if (call) { call.Answer({ video: true }); }
  }

  $('videoToggle').addEventListener('click', toggleVideo);
  $('cameraToggle').addEventListener('click', toggleCamera);
  $('videoCall').addEventListener('click', videoCall);
  $('answerVideo').addEventListener('click', answerVideo);
  // The video call button is usable when the Call button is (registered).
  const follow = () => { $('videoCall').disabled = $('dial').disabled; };
  new MutationObserver(follow).observe($('dial'), { attributes: true, attributeFilter: ['disabled'] });
  follow();
})();
